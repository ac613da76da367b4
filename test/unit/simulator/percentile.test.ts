import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { percentile } from "../../../lib/simulator/percentile.js";

describe("percentile (nearest rank)", () => {
  it("when there are no values, then it is undefined", () => {
    expect(percentile([], 50)).toBeUndefined();
  });

  it("when given the textbook example, then p50 and p95 are the nearest-rank values", () => {
    const values = [15, 20, 35, 40, 50];
    expect(percentile(values, 5)).toBe(15);
    expect(percentile(values, 30)).toBe(20);
    expect(percentile(values, 40)).toBe(20);
    expect(percentile(values, 50)).toBe(35);
    expect(percentile(values, 100)).toBe(50);
  });

  it("when the values are unsorted, then the result is the same and the input is left alone", () => {
    const values = [50, 15, 40, 20, 35];
    expect(percentile(values, 95)).toBe(50);
    expect(values).toEqual([50, 15, 40, 20, 35]);
  });

  it("when p is out of range, then it throws", () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it("for any values, the percentile is one of them and grows with p", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (values, p, q) => {
        const [lo, hi] = p <= q ? [p, q] : [q, p];
        const a = percentile(values, lo)!;
        const b = percentile(values, hi)!;
        expect(values).toContain(a);
        expect(a).toBeLessThanOrEqual(b);
      }),
    );
  });
});
