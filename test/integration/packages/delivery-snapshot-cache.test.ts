import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../lib/core/clock.js";
import { DeliverySnapshotCache, type DeliverySnapshot } from "../../../lib/packages/delivery-snapshot-cache.js";
import type { Assignment } from "../../../lib/packages/assignment-schema.js";

const snapshotOf = (n: number): DeliverySnapshot => ({
  assignments: Array.from({ length: n }, (_, i): Assignment => ({ realmId: "r", assignmentId: `a${i}`, packageId: `P${i}`, target: { type: "all" }, intent: "required", updatedAt: "" })),
  catalogue: [],
});

/** A loader that counts its calls. */
function loader(n = 1): { calls: number; load: () => Promise<DeliverySnapshot> } {
  const counter = {
    calls: 0,
    load: async (): Promise<DeliverySnapshot> => {
      counter.calls++;
      await Promise.resolve();
      return snapshotOf(n);
    },
  };
  return counter;
}

describe("delivery snapshot cache", () => {
  it("when the key matches, then the snapshot is reused; another key loads again", async () => {
    const cache = new DeliverySnapshotCache();
    const l = loader();
    const first = await cache.get("r1", "g1", l.load);
    expect(await cache.get("r1", "g1", l.load)).toBe(first);
    expect(l.calls).toBe(1);
    expect(await cache.get("r1", "g2", l.load)).not.toBe(first);
    expect(l.calls).toBe(2);
  });

  it("when many polls miss at once, then they share one load", async () => {
    const cache = new DeliverySnapshotCache();
    const l = loader();
    const all = await Promise.all([1, 2, 3, 4].map(() => cache.get("r1", "g1", l.load)));
    expect(l.calls).toBe(1);
    expect(new Set(all).size).toBe(1);
  });

  it("when a load fails, then it is not kept and the next poll loads again", async () => {
    const cache = new DeliverySnapshotCache();
    await expect(cache.get("r1", "g1", () => Promise.reject(new Error("storage down")))).rejects.toThrow("storage down");
    const l = loader();
    await cache.get("r1", "g1", l.load);
    expect(l.calls).toBe(1);
  });

  it("when the snapshot reaches its maximum age, then it is loaded again though the key is unchanged", async () => {
    const clock = new ManualClock(0);
    const cache = new DeliverySnapshotCache({ clock, maxAgeMs: 1_000 });
    const l = loader();
    await cache.get("r1", "g1", l.load);
    clock.advance(999);
    await cache.get("r1", "g1", l.load);
    clock.advance(1);
    await cache.get("r1", "g1", l.load);
    expect(l.calls).toBe(2);
  });

  it("when more realms than the bound are polled, then the least recently used is dropped", async () => {
    const cache = new DeliverySnapshotCache({ maxRealms: 2 });
    const l = loader();
    await cache.get("r1", "g", l.load);
    await cache.get("r2", "g", l.load);
    await cache.get("r1", "g", l.load);
    await cache.get("r3", "g", l.load);
    expect(cache.size).toBe(2);
    await cache.get("r1", "g", l.load);
    expect(l.calls).toBe(3);
    await cache.get("r2", "g", l.load);
    expect(l.calls).toBe(4);
  });

  it("when snapshots exceed the item budget, then older realms go, and a realm larger than the budget is never kept", async () => {
    const cache = new DeliverySnapshotCache({ maxItems: 10 });
    const small = loader(4);
    await cache.get("r1", "g", small.load);
    await cache.get("r2", "g", small.load);
    await cache.get("r3", "g", small.load);
    expect(cache.size).toBe(2);
    const big = loader(11);
    await cache.get("huge", "g", big.load);
    await cache.get("huge", "g", big.load);
    expect(big.calls).toBe(2);
    expect(cache.size).toBe(2);
  });
});
