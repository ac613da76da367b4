import { describe, expect, it } from "vitest";
import { backoffDelay, decideRetry, parseRetryAfter, type RetryPolicy } from "../../../lib/simulator/retry-policy.js";

const POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 30_000 };
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const low = () => 0;
const high = () => 0.999999;

describe("decideRetry", () => {
  it("when a 429 carries Retry-After in seconds, then the agent waits exactly that long (no jitter at random 0)", () => {
    expect(decideRetry(1, { kind: "response", status: 429, retryAfter: "7" }, POLICY, low, NOW)).toEqual({ retry: true, delayMs: 7000, reason: "status 429, Retry-After" });
  });

  it("when a 503 carries Retry-After as an HTTP date, then the agent waits until then, never earlier", () => {
    const at = new Date(NOW + 12_000).toUTCString();
    const d = decideRetry(2, { kind: "response", status: 503, retryAfter: at }, POLICY, high, NOW);
    expect(d.retry).toBe(true);
    if (d.retry) {
      expect(d.delayMs).toBeGreaterThanOrEqual(12_000);
      expect(d.delayMs).toBeLessThanOrEqual(13_200);
    }
  });

  it("when Retry-After asks for more than the bound, then the wait is capped at maxRetryAfterMs", () => {
    expect(decideRetry(1, { kind: "response", status: 429, retryAfter: "86400" }, POLICY, high, NOW)).toMatchObject({ retry: true, delayMs: 30_000 });
  });

  it("when a 429 has no usable Retry-After, then it backs off exponentially", () => {
    expect(decideRetry(3, { kind: "response", status: 429, retryAfter: "soon" }, POLICY, low, NOW)).toMatchObject({ retry: true, delayMs: 200 });
    expect(decideRetry(3, { kind: "response", status: 429 }, POLICY, low, NOW)).toMatchObject({ retry: true, delayMs: 200 });
  });

  it("when the network fails or an attempt times out, then it backs off exponentially with jitter", () => {
    expect(decideRetry(1, { kind: "network-error" }, POLICY, low, NOW)).toEqual({ retry: true, delayMs: 50, reason: "network-error" });
    expect(decideRetry(4, { kind: "timeout" }, POLICY, high, NOW)).toEqual({ retry: true, delayMs: 800, reason: "timeout" });
  });

  it("when a gateway answers 502 or 504, then it backs off; other statuses are final", () => {
    expect(decideRetry(1, { kind: "response", status: 502 }, POLICY, low, NOW).retry).toBe(true);
    expect(decideRetry(1, { kind: "response", status: 504 }, POLICY, low, NOW).retry).toBe(true);
    for (const status of [200, 202, 304, 400, 401, 403, 404, 409, 413, 500]) {
      expect(decideRetry(1, { kind: "response", status, retryAfter: "1" }, POLICY, low, NOW)).toEqual({ retry: false });
    }
  });

  it("when the attempts are used up, then it gives up whatever the cause", () => {
    expect(decideRetry(5, { kind: "network-error" }, POLICY, low, NOW)).toEqual({ retry: false });
    expect(decideRetry(5, { kind: "response", status: 429, retryAfter: "1" }, POLICY, low, NOW)).toEqual({ retry: false });
  });
});

describe("backoffDelay", () => {
  it("when attempts grow, then the step doubles up to the cap, half of it fixed and half random", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, POLICY, low))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, POLICY, high))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
});

describe("parseRetryAfter", () => {
  it("when the header is absent, negative, or not a number or date, then it is unusable", () => {
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter("-5", NOW)).toBeUndefined();
    expect(parseRetryAfter("1.5", NOW)).toBeUndefined();
    expect(parseRetryAfter("later", NOW)).toBeUndefined();
  });

  it("when the date is in the past, then the wait is zero", () => {
    expect(parseRetryAfter(new Date(NOW - 60_000).toUTCString(), NOW)).toBe(0);
  });
});
