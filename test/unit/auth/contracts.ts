import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { ReplayCache } from "../../../lib/auth/replay-cache.js";
import type { DevicePinStore } from "../../../lib/auth/device-trust.js";

/** The ReplayCache contract, run against every implementation. */
export function replayCacheContract(name: string, make: () => Promise<ReplayCache>): void {
  describe(`ReplayCache contract: ${name}`, () => {
    const realm = randomUUID();
    const later = Date.now() + 600_000;

    it("when a jti is first remembered, then it is new, and a second time it is a replay", async () => {
      const cache = await make();
      const jti = randomUUID();
      expect(await cache.remember(realm, jti, later)).toBe("new");
      expect(await cache.remember(realm, jti, later)).toBe("replay");
    });

    it("when the same jti comes from another realm, then it is new there", async () => {
      const cache = await make();
      const jti = randomUUID();
      expect(await cache.remember(realm, jti, later)).toBe("new");
      expect(await cache.remember(randomUUID(), jti, later)).toBe("new");
    });

    it("when a jti holds characters table keys forbid, then it is still remembered", async () => {
      const cache = await make();
      const jti = `a/b\\c#d?e\u0001${randomUUID()}`;
      expect(await cache.remember(realm, jti, later)).toBe("new");
      expect(await cache.remember(realm, jti, later)).toBe("replay");
    });

    it("when many callers remember one jti at once, then exactly one sees it as new", async () => {
      const cache = await make();
      const jti = randomUUID();
      const results = await Promise.all(Array.from({ length: 8 }, () => cache.remember(realm, jti, later)));
      expect(results.filter((r) => r === "new")).toHaveLength(1);
    });

    it("when expired entries are purged, then only those go, within the budget, and their jti becomes new again", async () => {
      const cache = await make();
      const r = randomUUID();
      const now = Date.now();
      const old = [randomUUID(), randomUUID(), randomUUID()];
      for (const jti of old) await cache.remember(r, jti, now - 1000);
      const live = randomUUID();
      await cache.remember(r, live, now + 60_000);

      // Other suites' entries may share the store: count only what this realm loses.
      let removed = 0;
      while ((await cache.purgeExpired(now, 1)) === 1) removed++;
      expect(removed).toBeGreaterThanOrEqual(3);
      for (const jti of old) expect(await cache.remember(r, jti, now + 60_000)).toBe("new");
      expect(await cache.remember(r, live, now + 60_000)).toBe("replay");
    });
  });
}

/** The DevicePinStore contract, run against every implementation. */
export function devicePinStoreContract(name: string, make: () => Promise<DevicePinStore>): void {
  describe(`DevicePinStore contract: ${name}`, () => {
    it("when a device was never pinned, then getPin answers undefined", async () => {
      const store = await make();
      expect(await store.getPin(randomUUID(), randomUUID())).toBeUndefined();
    });

    it("when a device is pinned, then the first thumbprint stays and a second pin reports exists", async () => {
      const store = await make();
      const [realm, device] = [randomUUID(), randomUUID()];
      expect(await store.pinIfAbsent(realm, device, "aa")).toBe("pinned");
      expect(await store.pinIfAbsent(realm, device, "bb")).toBe("exists");
      expect(await store.getPin(realm, device)).toBe("aa");
      expect(await store.getPin(randomUUID(), device)).toBeUndefined();
    });

    it("when two pins race, then exactly one wins", async () => {
      const store = await make();
      const [realm, device] = [randomUUID(), randomUUID()];
      const results = await Promise.all(["t1", "t2", "t3"].map((t) => store.pinIfAbsent(realm, device, t)));
      expect(results.filter((r) => r === "pinned")).toHaveLength(1);
    });
  });
}
