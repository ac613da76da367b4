import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../lib/core/clock.js";
import { passwordExpiry } from "../../../lib/directory/password-expiry.js";

const NOW = Date.parse("2026-01-10T12:00:00Z");

describe("passwordExpiry", () => {
  const clock = new ManualClock(NOW);

  it("when the password was changed 30 days ago with a 90-day policy, then it expires in 60 days", () => {
    const result = passwordExpiry({ lastPasswordChangeDateTime: "2025-12-11T12:00:00Z" }, 90, clock);
    expect(result).toEqual({ expiresAt: "2026-03-11T12:00:00.000Z", daysLeft: 60, never: false });
  });

  it("when part of a day remains, then daysLeft is floored", () => {
    const result = passwordExpiry({ lastPasswordChangeDateTime: "2025-12-12T06:00:00Z" }, 30, clock);
    expect(result).toMatchObject({ expiresAt: "2026-01-11T06:00:00.000Z", daysLeft: 0 });
  });

  it("when the password expired a day and a half ago, then daysLeft is negative", () => {
    const result = passwordExpiry({ lastPasswordChangeDateTime: "2025-10-11T00:00:00Z" }, 90, clock);
    expect(result).toEqual({ expiresAt: "2026-01-09T00:00:00.000Z", daysLeft: -2, never: false });
  });

  it("when the validity is unknown, then Entra's 90 days apply", () => {
    const result = passwordExpiry({ lastPasswordChangeDateTime: "2026-01-10T12:00:00Z" }, undefined, clock);
    expect(result).toMatchObject({ daysLeft: 90 });
  });

  it("when the user's policies disable expiration, then it never expires", () => {
    const user = { lastPasswordChangeDateTime: "2020-01-01T00:00:00Z", passwordPolicies: "DisableStrongPassword, DisablePasswordExpiration" };
    expect(passwordExpiry(user, 90, clock)).toEqual({ expiresAt: null, daysLeft: null, never: true });
  });

  it("when the domain's validity is 2147483647, then it never expires", () => {
    expect(passwordExpiry({ lastPasswordChangeDateTime: "2020-01-01T00:00:00Z" }, 2147483647, clock)).toEqual({
      expiresAt: null,
      daysLeft: null,
      never: true,
    });
  });

  it("when the last change is unknown or unparsable, then the expiry is unknown", () => {
    expect(passwordExpiry({}, 90, clock)).toBeUndefined();
    expect(passwordExpiry({ lastPasswordChangeDateTime: "yesterday-ish" }, 90, clock)).toBeUndefined();
  });

  it("when the clock moves past the expiry, then daysLeft turns negative", () => {
    const moving = new ManualClock(NOW);
    const user = { lastPasswordChangeDateTime: "2025-12-11T12:00:00Z" };
    moving.advance(60 * 86_400_000 - 1);
    expect(passwordExpiry(user, 90, moving)?.daysLeft).toBe(0);
    moving.advance(1);
    expect(passwordExpiry(user, 90, moving)?.daysLeft).toBe(0);
    moving.advance(1);
    expect(passwordExpiry(user, 90, moving)?.daysLeft).toBe(-1);
  });
});
