import type { HttpResponseInit } from "@azure/functions";
import { AppError, isAppError } from "../core/errors.js";

export const PROBLEM_TYPE_BASE = "https://realmjoin.example/problems/";

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/** Renders an AppError as an RFC 9457 response. */
export function problemResponse(error: AppError, requestId: string, extraHeaders: Record<string, string> = {}): HttpResponseInit {
  const body: ProblemDetails = {
    ...(error.extensions ?? {}),
    type: PROBLEM_TYPE_BASE + error.code,
    title: TITLES[error.status] ?? "Error",
    status: error.status,
    detail: error.message,
    requestId,
  };
  const headers: Record<string, string> = {
    "content-type": "application/problem+json",
    "cache-control": "no-store",
    ...extraHeaders,
  };
  if (error.retryAfterSeconds !== undefined) headers["retry-after"] = String(Math.ceil(error.retryAfterSeconds));
  if (error.status === 401) headers["www-authenticate"] = 'Bearer realm="realmjoin"';
  const allow = error.extensions?.["allow"];
  if (error.kind === "method-not-allowed" && Array.isArray(allow)) headers["allow"] = allow.join(", ");
  return { status: error.status, headers, body: JSON.stringify(body) };
}

/** Storage and network failures the SDKs surface; they become 503 with Retry-After, never 500. */
function isUnavailable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as { name?: unknown; code?: unknown; statusCode?: unknown };
  if (e.name === "RestError" || e.name === "AbortError" || e.name === "TimeoutError") {
    if (e.statusCode === undefined || e.statusCode === 503 || e.statusCode === 500) return true;
  }
  return typeof e.code === "string" && ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "REQUEST_SEND_ERROR"].includes(e.code);
}

/** Maps anything thrown by a handler to an AppError; unknown failures become an opaque 500 without a stack. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (isUnavailable(error)) {
    return new AppError("unavailable", "Storage is unavailable, try again later", { code: "storage-unavailable", retryAfterSeconds: 5, cause: error });
  }
  return new AppError("internal", "An unexpected error occurred", { cause: error });
}
