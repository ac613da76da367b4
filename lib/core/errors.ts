/** The small error taxonomy every domain throws; lib/http maps it to problem+json. */
export type ErrorKind =
  | "validation"
  | "unauthorized"
  | "forbidden"
  | "not-found"
  | "method-not-allowed"
  | "conflict"
  | "precondition-failed"
  | "too-large"
  | "unsupported-media-type"
  | "rate-limited"
  | "upstream"
  | "unavailable"
  | "internal";

const STATUS: Record<ErrorKind, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  "not-found": 404,
  "method-not-allowed": 405,
  conflict: 409,
  "precondition-failed": 412,
  "too-large": 413,
  "unsupported-media-type": 415,
  "rate-limited": 429,
  upstream: 502,
  unavailable: 503,
  internal: 500,
};

export interface AppErrorOptions {
  /** Short machine-readable slug placed in the problem `type` (e.g. "no-graph"). Defaults to the kind. */
  code?: string;
  /** Seconds for a Retry-After header (429, 503). */
  retryAfterSeconds?: number;
  /** Extra problem members, safe to show to the client. */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

/** A failure with a known meaning. `detail` is shown to the client, so never put secrets in it. */
export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly status: number;
  readonly retryAfterSeconds: number | undefined;
  readonly extensions: Record<string, unknown> | undefined;

  constructor(kind: ErrorKind, detail: string, options: AppErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.kind = kind;
    this.code = options.code ?? kind;
    this.status = STATUS[kind];
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.extensions = options.extensions;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

export const validationError = (detail: string, code?: string): AppError =>
  new AppError("validation", detail, code === undefined ? {} : { code });
export const notFound = (detail = "Not found"): AppError => new AppError("not-found", detail);
export const conflict = (detail: string, code?: string): AppError =>
  new AppError("conflict", detail, code === undefined ? {} : { code });
export const unauthorized = (detail = "Authentication required", code?: string): AppError =>
  new AppError("unauthorized", detail, code === undefined ? {} : { code });
export const forbidden = (detail = "Forbidden", code?: string): AppError =>
  new AppError("forbidden", detail, code === undefined ? {} : { code });
