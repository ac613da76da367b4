import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../lib/core/clock.js";
import type { Realm } from "../../../lib/realms/realm.js";
import { RealmCache } from "../../../lib/realms/realm-cache.js";

const realm = (status: Realm["status"]): Realm => ({ id: "t", name: "T", status, deviceTrust: "pinned", noGraph: true, createdAt: "2026-01-01T00:00:00Z" });

/** A stored realm row another instance may change, and how often it was read. */
function storage(initial: Realm | undefined) {
  let row = initial;
  let reads = 0;
  return {
    load: async () => {
      reads++;
      return row;
    },
    set: (next: Realm | undefined) => (row = next),
    reads: () => reads,
  };
}

describe("the per-instance realm cache", () => {
  it("when another instance disables the realm, then the cached row is served until the clock passes the bound, and the disable afterwards", async () => {
    const clock = new ManualClock();
    const cache = new RealmCache({ ttlMs: 30_000, clock });
    const stored = storage(realm("active"));
    expect((await cache.get("t", stored.load))?.status).toBe("active");
    stored.set(realm("disabled"));
    clock.advance(29_999);
    expect((await cache.get("t", stored.load))?.status).toBe("active");
    clock.advance(1);
    expect((await cache.get("t", stored.load))?.status).toBe("disabled");
    expect(stored.reads()).toBe(2);
  });

  it("when this instance changes the realm and forgets it, then the next get reads storage at once", async () => {
    const clock = new ManualClock();
    const cache = new RealmCache({ ttlMs: 30_000, clock });
    const stored = storage(realm("active"));
    await cache.get("t", stored.load);
    stored.set(undefined);
    cache.forget("t");
    expect(await cache.get("t", stored.load)).toBeUndefined();
  });

  it("when many requests miss at once, then one read serves them all", async () => {
    const cache = new RealmCache({ ttlMs: 30_000, clock: new ManualClock() });
    const stored = storage(realm("active"));
    await Promise.all(Array.from({ length: 50 }, () => cache.get("t", stored.load)));
    expect(stored.reads()).toBe(1);
  });

  it("when more tenants are looked up than the bound, then the least recently used are dropped", async () => {
    const cache = new RealmCache({ ttlMs: 30_000, clock: new ManualClock(), maxEntries: 100 });
    for (let i = 0; i < 1_000; i++) await cache.get(`unknown-${i}`, async () => undefined);
    expect(cache.size).toBe(100);
  });

  it("when the time-to-live is 0, then every get reads storage", async () => {
    const cache = new RealmCache({ ttlMs: 0, clock: new ManualClock() });
    const stored = storage(realm("active"));
    await cache.get("t", stored.load);
    await cache.get("t", stored.load);
    expect(stored.reads()).toBe(2);
  });
});
