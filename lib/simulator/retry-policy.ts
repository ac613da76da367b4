/** How persistently one logical request is retried. */
export interface RetryPolicy {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  /** First back-off step; doubles per attempt. */
  baseDelayMs: number;
  /** Cap of one exponential back-off step. */
  maxDelayMs: number;
  /** Cap of a server's Retry-After (a misconfigured server must not park the agent for hours). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 250, maxDelayMs: 30_000, maxRetryAfterMs: 120_000 };

/** What one attempt produced. */
export type AttemptOutcome =
  | { kind: "response"; status: number; retryAfter?: string | null }
  | { kind: "network-error" }
  | { kind: "timeout" };

export type RetryDecision = { retry: false } | { retry: true; delayMs: number; reason: string };

/** Statuses worth another attempt: throttling and unavailability (with Retry-After), gateway failures (with back-off). */
const RETRY_AFTER_STATUSES = new Set([429, 503]);
const BACKOFF_STATUSES = new Set([502, 504]);

/**
 * Whether to try again after `attemptsMade` attempts (1 after the first) ended in `outcome`, and after how long.
 * 429/503 honour Retry-After (seconds or HTTP date), capped at maxRetryAfterMs, plus up to 10% jitter (never earlier);
 * without a usable Retry-After, and for 502/504, network errors and time-outs: exponential back-off with equal jitter.
 * Any other status is final. `random` returns [0, 1).
 */
export function decideRetry(
  attemptsMade: number,
  outcome: AttemptOutcome,
  policy: RetryPolicy,
  random: () => number = Math.random,
  nowMs: number = Date.now(),
): RetryDecision {
  if (attemptsMade >= policy.maxAttempts) return { retry: false };
  if (outcome.kind === "response") {
    if (RETRY_AFTER_STATUSES.has(outcome.status)) {
      const after = parseRetryAfter(outcome.retryAfter ?? null, nowMs);
      if (after !== undefined) {
        const bounded = Math.min(after, policy.maxRetryAfterMs);
        const jitter = Math.min(random() * bounded * 0.1, Math.max(0, policy.maxRetryAfterMs - bounded));
        return { retry: true, delayMs: Math.round(bounded + jitter), reason: `status ${outcome.status}, Retry-After` };
      }
      return { retry: true, delayMs: backoffDelay(attemptsMade, policy, random), reason: `status ${outcome.status}` };
    }
    if (BACKOFF_STATUSES.has(outcome.status)) {
      return { retry: true, delayMs: backoffDelay(attemptsMade, policy, random), reason: `status ${outcome.status}` };
    }
    return { retry: false };
  }
  return { retry: true, delayMs: backoffDelay(attemptsMade, policy, random), reason: outcome.kind };
}

/** Exponential back-off with equal jitter: half of min(max, base * 2^(n-1)) fixed, half random. */
export function backoffDelay(attemptsMade: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/** Milliseconds from a Retry-After header (delta-seconds or HTTP date, RFC 9110 10.2.3); undefined when absent or unusable. */
export function parseRetryAfter(header: string | null, nowMs: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
