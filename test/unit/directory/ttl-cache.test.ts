import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../lib/core/clock.js";
import { TtlCache } from "../../../lib/directory/ttl-cache.js";

describe("TtlCache", () => {
  it("when a key is read within the TTL, then it loads once; after the TTL it loads again", async () => {
    const clock = new ManualClock();
    const cache = new TtlCache<number>(1_000, clock);
    let loads = 0;
    const load = async () => ++loads;

    expect(await cache.get("k", load)).toBe(1);
    clock.advance(999);
    expect(await cache.get("k", load)).toBe(1);
    clock.advance(1);
    expect(await cache.get("k", load)).toBe(2);
  });

  it("when two reads miss at once, then one load serves both", async () => {
    const cache = new TtlCache<number>(1_000, new ManualClock());
    let loads = 0;
    const load = async () => ++loads;
    await expect(Promise.all([cache.get("k", load), cache.get("k", load)])).resolves.toEqual([1, 1]);
  });

  it("when a load fails, then the failure is not kept", async () => {
    const cache = new TtlCache<number>(1_000, new ManualClock());
    await expect(cache.get("k", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(cache.get("k", async () => 7)).resolves.toBe(7);
  });

  it("when keys are dropped by name or prefix, then they load again", async () => {
    const cache = new TtlCache<string>(1_000, new ManualClock());
    await cache.get("r1|a", async () => "old");
    await cache.get("r1|b", async () => "old");
    await cache.get("r2|a", async () => "old");
    cache.delete("r1|a");
    cache.deletePrefix("r1|");
    expect(await cache.get("r1|a", async () => "new")).toBe("new");
    expect(await cache.get("r1|b", async () => "new")).toBe("new");
    expect(await cache.get("r2|a", async () => "new")).toBe("old");
  });

  it("when more keys than the bound are cached, then the oldest is evicted", async () => {
    const cache = new TtlCache<string>(1_000, new ManualClock(), 2);
    await cache.get("a", async () => "a1");
    await cache.get("b", async () => "b1");
    await cache.get("c", async () => "c1");
    expect(await cache.get("a", async () => "a2")).toBe("a2");
    expect(await cache.get("c", async () => "c2")).toBe("c1");
  });
});
