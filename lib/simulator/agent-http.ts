import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { decideRetry, DEFAULT_RETRY_POLICY, type AttemptOutcome, type RetryPolicy } from "./retry-policy.js";

/** One attempt as seen on the wire, for the fleet statistics. */
export interface RequestSample {
  label: string;
  /** HTTP status, or how the attempt failed without one. */
  outcome: number | "network" | "timeout";
  ms: number;
}

export interface AgentHttpOptions {
  baseUrl: string;
  /** Time-out of one attempt (headers and body). */
  requestTimeoutMs: number;
  retry?: RetryPolicy;
  random?: () => number;
  /** Aborts every request and back-off wait (the fleet stopping). */
  signal?: AbortSignal;
  fetch?: typeof fetch;
  onSample?: (sample: RequestSample) => void;
}

/** One logical request; `headers` is called per attempt so each attempt carries a fresh device assertion. */
export interface AgentRequestSpec {
  /** Route name for statistics, e.g. "GET /config". */
  label: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Absolute URL, or a path resolved against the base URL. */
  url: string;
  json?: unknown;
  headers?: (request: { method: string; url: string }) => Promise<Record<string, string>>;
  redirect?: "manual" | "follow";
  timeoutMs?: number;
  /** false: a single attempt. */
  retry?: RetryPolicy | false;
}

/** A final answer (any status) after the retries the policy allows. */
export interface AgentResponse<T> {
  status: number;
  headers: Headers;
  value: T;
  requestId: string;
}

/** Raised when no attempt got an HTTP answer (network errors or time-outs on every attempt). */
export class AgentNetworkError extends Error {
  override readonly name = "AgentNetworkError";
  constructor(
    readonly label: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    super(`${label}: no answer after ${attempts} attempt(s): ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Raised when the server answered with a status the agent cannot continue with. */
export class AgentHttpError extends Error {
  override readonly name = "AgentHttpError";
  constructor(
    readonly label: string,
    readonly status: number,
    readonly problem: string,
  ) {
    super(`${label}: ${status}${problem === "" ? "" : ` ${problem}`}`);
  }
}

/** The agent's HTTP stack: per-attempt time-outs, x-request-id, retries with Retry-After and back-off. */
export class AgentHttp {
  private readonly retry: RetryPolicy;
  private readonly random: () => number;
  private readonly fetchImpl: typeof fetch;

  constructor(readonly options: AgentHttpOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.random = options.random ?? Math.random;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Absolute URL of a path (or the URL itself when absolute). */
  resolve(url: string): string {
    return new URL(url, this.options.baseUrl.replace(/\/?$/, "/")).toString();
  }

  /** Sends with retries and reads the body as text; returns the final answer; throws AgentNetworkError or the outer abort. */
  async text(spec: AgentRequestSpec): Promise<AgentResponse<string>> {
    return this.send(spec, (res) => res.text());
  }

  /**
   * Sends with retries; `consume` reads the body of the final answer (its network failures are retried too).
   * Throws AgentNetworkError when no attempt got an answer, the outer signal's reason when aborted, and whatever
   * `consume` throws that is not a network failure.
   */
  async send<T>(spec: AgentRequestSpec, consume: (res: Response) => Promise<T>): Promise<AgentResponse<T>> {
    const policy = spec.retry === false ? { ...this.retry, maxAttempts: 1 } : (spec.retry ?? this.retry);
    const requestId = randomUUID();
    const url = this.resolve(spec.url);
    for (let attempt = 1; ; attempt++) {
      this.options.signal?.throwIfAborted();
      const started = performance.now();
      const timeout = AbortSignal.timeout(spec.timeoutMs ?? this.options.requestTimeoutMs);
      const signal = this.options.signal === undefined ? timeout : AbortSignal.any([this.options.signal, timeout]);
      let outcome: AttemptOutcome;
      let failure: unknown;
      try {
        const headers: Record<string, string> = { "x-request-id": requestId, ...(await spec.headers?.({ method: spec.method, url })) };
        if (spec.json !== undefined) headers["content-type"] = "application/json";
        const res = await this.fetchImpl(url, {
          method: spec.method,
          headers,
          ...(spec.json === undefined ? {} : { body: JSON.stringify(spec.json) }),
          redirect: spec.redirect ?? "follow",
          signal,
        });
        this.sample(spec.label, res.status, started);
        outcome = { kind: "response", status: res.status, retryAfter: res.headers.get("retry-after") };
        const decision = decideRetry(attempt, outcome, policy, this.random);
        if (!decision.retry) {
          const value = await consume(res);
          return { status: res.status, headers: res.headers, value, requestId };
        }
        await res.body?.cancel().catch(() => undefined);
        await sleep(decision.delayMs, undefined, { signal: this.options.signal });
        continue;
      } catch (e) {
        if (this.options.signal?.aborted === true) throw this.options.signal.reason;
        if (!isNetworkFailure(e)) throw e;
        outcome = { kind: timeout.aborted ? "timeout" : "network-error" };
        failure = e;
        this.sample(spec.label, outcome.kind === "timeout" ? "timeout" : "network", started);
      }
      const decision = decideRetry(attempt, outcome, policy, this.random);
      if (!decision.retry) throw new AgentNetworkError(spec.label, attempt, failure);
      await sleep(decision.delayMs, undefined, { signal: this.options.signal });
    }
  }

  private sample(label: string, outcome: RequestSample["outcome"], started: number): void {
    this.options.onSample?.({ label, outcome, ms: performance.now() - started });
  }
}

/** Failures of the transport (fetch's TypeError, resets, time-outs), as opposed to the agent's own checks. */
function isNetworkFailure(e: unknown): boolean {
  if (e instanceof TypeError) return true;
  if (e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError")) return true;
  return typeof e === "object" && e !== null && "code" in e && typeof e.code === "string" && /^(E[A-Z]+|UND_ERR_.+)$/.test(e.code);
}

/** A short description of an error answer: the problem+json title and detail, or the first characters of the body. */
export function describeProblem(body: string): string {
  try {
    const p = JSON.parse(body) as unknown;
    if (typeof p === "object" && p !== null) {
      const o = p as Record<string, unknown>;
      const parts = [o["type"], o["title"], o["detail"]].filter((x): x is string => typeof x === "string" && x !== "");
      if (parts.length > 0) return parts.join(": ");
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return body.slice(0, 200);
}
