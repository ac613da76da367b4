import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRange, satisfies, toNormalizedRangeString, tryParseRange } from "../../../lib/packages/nuget-range.js";
import { type NuGetVersion, parseVersion, tryParseVersion } from "../../../lib/packages/nuget-version.js";
import { compareVersions } from "../../../lib/packages/nuget-version-compare.js";

const numericLabel = fc.integer({ min: 0, max: 5000 }).map(String);
const wordLabel = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9-]{0,6}$/);
const label = fc.oneof(numericLabel, wordLabel);
const part = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2147483647 }));

interface Spec {
  numbers: number[];
  labels: string[];
  metadata: string[];
}

const spec: fc.Arbitrary<Spec> = fc.record({
  numbers: fc.array(part, { minLength: 1, maxLength: 4 }),
  labels: fc.array(label, { maxLength: 4 }),
  metadata: fc.array(fc.stringMatching(/^[0-9A-Za-z-]{1,5}$/), { maxLength: 2 }),
});

const text = (s: Spec): string =>
  `${s.numbers.join(".")}${s.labels.length ? `-${s.labels.join(".")}` : ""}${s.metadata.length ? `+${s.metadata.join(".")}` : ""}`;

const version = spec.map((s) => parseVersion(text(s)));

// An oracle written from the SemVer 2.0 text (plus NuGet's fourth part and case-insensitive labels), not from the code under test.
function oracleCompare(a: Spec, b: Spec): number {
  const pad = (n: number[]): number[] => [0, 1, 2, 3].map((i) => n[i] ?? 0);
  const an = pad(a.numbers);
  const bn = pad(b.numbers);
  for (let i = 0; i < 4; i++) if ((an[i] ?? 0) !== (bn[i] ?? 0)) return (an[i] ?? 0) < (bn[i] ?? 0) ? -1 : 1;
  if (a.labels.length === 0 || b.labels.length === 0) return a.labels.length === b.labels.length ? 0 : a.labels.length === 0 ? 1 : -1;
  for (let i = 0; ; i++) {
    const x = a.labels[i];
    const y = b.labels[i];
    if (x === undefined && y === undefined) return 0;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xNum = /^\d+$/.test(x);
    const yNum = /^\d+$/.test(y);
    if (xNum && yNum && Number(x) !== Number(y)) return Number(x) < Number(y) ? -1 : 1;
    if (xNum !== yNum) return xNum ? -1 : 1;
    if (!xNum) {
      const [ux, uy] = [x.toUpperCase(), y.toUpperCase()];
      if (ux !== uy) return ux < uy ? -1 : 1;
    }
  }
}

describe("NuGet version properties", () => {
  it("when a version is normalized and parsed again, then it is equal and normalizes the same", () => {
    fc.assert(
      fc.property(version, (v) => {
        const again = parseVersion(v.toNormalizedString());
        expect(compareVersions(again, v)).toBe(0);
        expect(again.toNormalizedString()).toBe(v.toNormalizedString());
        expect(parseVersion(v.toFullString()).toFullString()).toBe(v.toFullString());
      }),
    );
  });

  it("when normalization is applied twice, then the second pass changes nothing", () => {
    fc.assert(
      fc.property(version, (v) => {
        const once = v.toNormalizedString();
        expect(parseVersion(parseVersion(once).toNormalizedString()).toNormalizedString()).toBe(once);
      }),
    );
  });

  it("when two generated versions are compared, then the result agrees with a SemVer oracle and is antisymmetric", () => {
    fc.assert(
      fc.property(spec, spec, (a, b) => {
        const result = Math.sign(compareVersions(parseVersion(text(a)), parseVersion(text(b))));
        expect(result).toBe(oracleCompare(a, b));
        expect(Math.sign(compareVersions(parseVersion(text(b)), parseVersion(text(a))))).toBe(-result || 0);
      }),
      { numRuns: 500 },
    );
  });

  it("when a <= b and b <= c, then a <= c (transitivity)", () => {
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        const [x, y, z] = [a, b, c].sort(compareVersions) as [NuGetVersion, NuGetVersion, NuGetVersion];
        expect(compareVersions(x, y)).toBeLessThanOrEqual(0);
        expect(compareVersions(y, z)).toBeLessThanOrEqual(0);
        expect(compareVersions(x, z)).toBeLessThanOrEqual(0);
      }),
    );
  });

  it("when a version's letters change case or metadata is added, then it still compares equal", () => {
    fc.assert(
      fc.property(spec, (s) => {
        const base = parseVersion(text(s));
        expect(compareVersions(parseVersion(text(s).toUpperCase()), base)).toBe(0);
        expect(compareVersions(parseVersion(`${text({ ...s, metadata: [] })}+zz`), base)).toBe(0);
      }),
    );
  });

  it("when arbitrary text is parsed, then the non-throwing parsers return a value or undefined and never throw", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: fc.constantFrom(..."0123456789.-+*[](), aZ"), maxLength: 20 })), (s) => {
        tryParseVersion(s);
        tryParseRange(s);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("NuGet range properties", () => {
  const bound = fc.option(version, { nil: undefined });
  it("when a range is built from two bounds, then satisfies agrees with comparing against each bound", () => {
    fc.assert(
      fc.property(bound, fc.boolean(), bound, fc.boolean(), version, (lo, loIncl, hi, hiIncl, probe) => {
        if (lo === undefined && hi === undefined) return;
        const written = `${loIncl ? "[" : "("}${lo?.toFullString() ?? ""},${hi?.toFullString() ?? ""}${hiIncl ? "]" : ")"}`;
        const range = tryParseRange(written);
        const ordered = lo === undefined || hi === undefined || compareVersions(lo, hi) < 0 || (compareVersions(lo, hi) === 0 && loIncl && hiIncl);
        expect(range !== undefined).toBe(ordered);
        if (range === undefined) return;
        const aboveLo = lo === undefined || (loIncl ? compareVersions(probe, lo) >= 0 : compareVersions(probe, lo) > 0);
        const belowHi = hi === undefined || (hiIncl ? compareVersions(probe, hi) <= 0 : compareVersions(probe, hi) < 0);
        expect(satisfies(range, probe)).toBe(aboveLo && belowHi);
        if (lo !== undefined) expect(satisfies(range, lo)).toBe(loIncl);
        if (hi !== undefined) expect(satisfies(range, hi)).toBe(hiIncl);
      }),
      { numRuns: 1000 },
    );
  });

  it("when a range's normalized string is parsed again, then it prints the same", () => {
    fc.assert(
      fc.property(version, fc.boolean(), version, fc.boolean(), (a, aIncl, b, bIncl) => {
        const [lo, hi] = compareVersions(a, b) <= 0 ? [a, b] : [b, a];
        const range = tryParseRange(`${aIncl ? "[" : "("}${lo.toFullString()}, ${hi.toFullString()}${bIncl ? "]" : ")"}`);
        if (range === undefined) return;
        const printed = toNormalizedRangeString(range);
        expect(toNormalizedRangeString(parseRange(printed))).toBe(printed);
      }),
    );
  });
});
