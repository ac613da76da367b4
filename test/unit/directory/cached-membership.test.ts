import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../lib/core/clock.js";
import { CachedMembershipDirectory } from "../../../lib/directory/cached-membership.js";
import type { Directory } from "../../../lib/directory/directory.js";

function countingDirectory(groups: string[]): { directory: Directory; calls: () => number } {
  let calls = 0;
  const directory: Directory = {
    getUser: async () => undefined,
    getGroup: async () => undefined,
    transitiveGroupIds: async () => {
      calls++;
      return [...groups];
    },
    deviceGroupIds: async () => {
      calls++;
      return [];
    },
    refresh: () => undefined,
    passwordValidityDays: async () => 90,
    bitlockerKeyExists: async () => false,
    deviceAlternativeSecurityIds: async () => undefined,
  };
  return { directory, calls: () => calls };
}

describe("cached group membership", () => {
  it("when polled again within the time-to-live, then the directory is not asked again; after it, it is", async () => {
    const clock = new ManualClock();
    const inner = countingDirectory(["g1"]);
    const cached = new CachedMembershipDirectory(inner.directory, 60_000, clock);
    expect(await cached.transitiveGroupIds("r", "U1")).toEqual(["g1"]);
    expect(await cached.transitiveGroupIds("r", "u1")).toEqual(["g1"]);
    expect(inner.calls()).toBe(1);
    clock.advance(60_001);
    await cached.transitiveGroupIds("r", "u1");
    expect(inner.calls()).toBe(2);
  });

  it("when a realm is refreshed, then its memberships are read again and other realms keep theirs", async () => {
    const inner = countingDirectory(["g1"]);
    const cached = new CachedMembershipDirectory(inner.directory, 60_000, new ManualClock());
    await cached.transitiveGroupIds("a", "u");
    await cached.transitiveGroupIds("b", "u");
    cached.refresh("a");
    await cached.transitiveGroupIds("a", "u");
    await cached.transitiveGroupIds("b", "u");
    expect(inner.calls()).toBe(3);
  });
});
