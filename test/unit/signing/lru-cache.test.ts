import { describe, expect, it } from "vitest";
import { LruCache } from "../../../lib/signing/lru-cache.js";

describe("LruCache", () => {
  it("when full, then the least recently used entry is evicted and recently read ones stay", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    expect(cache.get("a")).toBe(1);
    cache.set("c", 3);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe(1);
    expect(cache.get("c")).toBe(3);
    expect(cache.size).toBe(2);
  });
});
