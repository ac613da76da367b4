import { describe, expect, it } from "vitest";
import { ManualClock } from "../../lib/core/clock.js";
import { DeviceRateLimiter } from "../../lib/http/rate-limit.js";

const REALM = "realm-a";

describe("the per-device token bucket", () => {
  it("when a device spends its budget in a burst, then the next request is refused with the seconds until a token is back", () => {
    const clock = new ManualClock();
    const limiter = new DeviceRateLimiter({ perMinute: 3, clock });
    expect([1, 2, 3].map(() => limiter.take(REALM, "d1").allowed)).toEqual([true, true, true]);
    // 3 per minute: one token every 20 s.
    expect(limiter.take(REALM, "d1")).toEqual({ allowed: false, retryAfterSeconds: 20 });
    clock.advance(15_000);
    expect(limiter.take(REALM, "d1")).toEqual({ allowed: false, retryAfterSeconds: 5 });
  });

  it("when time passes, then the budget refills at the per-minute rate, never above one minute's worth", () => {
    const clock = new ManualClock();
    const limiter = new DeviceRateLimiter({ perMinute: 60, clock });
    for (let i = 0; i < 60; i++) expect(limiter.take(REALM, "d1").allowed).toBe(true);
    expect(limiter.take(REALM, "d1").allowed).toBe(false);
    clock.advance(1_000);
    expect(limiter.take(REALM, "d1").allowed).toBe(true);
    expect(limiter.take(REALM, "d1").allowed).toBe(false);
    clock.advance(60 * 60_000);
    let allowed = 0;
    for (let i = 0; i < 100; i++) if (limiter.take(REALM, "d1").allowed) allowed++;
    expect(allowed).toBe(60);
  });

  it("when one device is throttled, then another device and the same device id in another realm still pass", () => {
    const clock = new ManualClock();
    const limiter = new DeviceRateLimiter({ perMinute: 1, clock });
    expect(limiter.take(REALM, "d1").allowed).toBe(true);
    expect(limiter.take(REALM, "d1").allowed).toBe(false);
    expect(limiter.take(REALM, "d2").allowed).toBe(true);
    expect(limiter.take("realm-b", "d1").allowed).toBe(true);
  });

  it("when more devices call than the map may hold, then the least recently seen are forgotten and the size stays bounded", () => {
    const clock = new ManualClock();
    const limiter = new DeviceRateLimiter({ perMinute: 1, clock, maxDevices: 100 });
    expect(limiter.take(REALM, "busy").allowed).toBe(true);
    for (let i = 0; i < 1000; i++) {
      limiter.take(REALM, `d${i}`);
      // The busy device keeps being seen, so it is never the one evicted and stays throttled.
      if (i % 50 === 0) expect(limiter.take(REALM, "busy").allowed).toBe(false);
      expect(limiter.size).toBeLessThanOrEqual(100);
    }
    // d0 was evicted long ago: it comes back with a fresh bucket.
    expect(limiter.take(REALM, "d0").allowed).toBe(true);
    expect(limiter.take(REALM, "busy").allowed).toBe(false);
  });
});
