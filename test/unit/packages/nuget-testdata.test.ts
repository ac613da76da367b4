import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isAppError } from "../../../lib/core/errors.js";
import {
  isValidPackageId,
  validatePackageId,
} from "../../../lib/packages/package-id.js";
import {
  parseRange,
  prettyPrintRange,
  rangesEqual,
  satisfies,
  toLegacyShortString,
  toNormalizedRangeString,
  tryParseRange,
} from "../../../lib/packages/nuget-range.js";
import {
  type NuGetVersion,
  parseStrictSemVer,
  parseVersion,
  tryParseStrictSemVer,
  tryParseVersion,
} from "../../../lib/packages/nuget-version.js";
import { compareVersions, versionsEqual } from "../../../lib/packages/nuget-version-compare.js";

// Every line of both published files runs; no case is skipped. An unknown `kind` fails its test, so new
// kinds added to the data cannot pass silently.
type Case = Record<string, unknown> & { kind: string };

const load = (name: string): Case[] =>
  readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), "utf8")
    .split("\n")
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as Case);

const str = (c: Case, key: string): string => {
  const value = c[key];
  if (typeof value !== "string") throw new Error(`case ${JSON.stringify(c)} has no string "${key}"`);
  return value;
};

const v = (text: string): NuGetVersion => parseVersion(text);
const four = (x: NuGetVersion): string => `${x.major}.${x.minor}.${x.patch}.${x.revision}`;

function expectValidationError(fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(isAppError(caught) && caught.kind === "validation").toBe(true);
}

const handlers: Record<string, (c: Case) => void> = {
  "range.equal": (c) => expect(rangesEqual(parseRange(str(c, "a")), parseRange(str(c, "b")))).toBe(true),
  "range.formatShort": (c) => expect(toLegacyShortString(parseRange(str(c, "input")))).toBe(str(c, "short")),
  "range.invalid": (c) => {
    expect(tryParseRange(str(c, "input"))).toBeUndefined();
    expectValidationError(() => parseRange(str(c, "input")));
  },
  "range.normalizedString": (c) => expect(toNormalizedRangeString(parseRange(str(c, "input")))).toBe(str(c, "normalized")),
  "range.parts": (c) => {
    const r = parseRange(str(c, "input"));
    const bound = (actual: NuGetVersion | undefined, expected: unknown): void => {
      if (expected === null) expect(actual).toBeUndefined();
      else expect(actual !== undefined && typeof expected === "string" && versionsEqual(actual, v(expected))).toBe(true);
    };
    bound(r.minVersion, c.min);
    bound(r.maxVersion, c.max);
    expect(r.minInclusive).toBe(c.minInclusive);
    expect(r.maxInclusive).toBe(c.maxInclusive);
  },
  "range.prettyPrint": (c) => expect(prettyPrintRange(parseRange(str(c, "input")))).toBe(str(c, "pretty")),
  "range.satisfies": (c) => expect(satisfies(parseRange(str(c, "range")), v(str(c, "version")))).toBe(c.expected),
  "range.toString": (c) => expect(toNormalizedRangeString(parseRange(str(c, "input")))).toBe(str(c, "toString")),
  "semver.strictInvalid": (c) => {
    expect(tryParseStrictSemVer(str(c, "input"))).toBeUndefined();
    expectValidationError(() => parseStrictSemVer(str(c, "input")));
  },
  "semver.strictValid": (c) => {
    const parsed = parseStrictSemVer(str(c, "input"));
    if (c.isPrerelease !== undefined) expect(parsed.isPrerelease).toBe(c.isPrerelease);
  },
  "version.equal": (c) => {
    expect(compareVersions(v(str(c, "a")), v(str(c, "b")))).toBe(0);
    expect(versionsEqual(v(str(c, "b")), v(str(c, "a")))).toBe(true);
  },
  "version.notEqual": (c) => expect(versionsEqual(v(str(c, "a")), v(str(c, "b")))).toBe(false),
  "version.less": (c) => {
    expect(compareVersions(v(str(c, "a")), v(str(c, "b")))).toBeLessThan(0);
    expect(compareVersions(v(str(c, "b")), v(str(c, "a")))).toBeGreaterThan(0);
  },
  "version.fourPart": (c) => {
    const parsed = v(str(c, "input"));
    expect(four(parsed)).toBe(str(c, "version4"));
    expect(parsed.release).toBe(str(c, "release"));
    if (c.metadata !== undefined) expect(parsed.metadata).toBe(str(c, "metadata"));
  },
  "version.fourPartInts": (c) => {
    const parsed = v(str(c, "input"));
    expect([parsed.major, parsed.minor, parsed.patch, parsed.revision]).toEqual([c.major, c.minor, c.patch, c.revision]);
  },
  "version.parts": (c) => {
    const parsed = v(str(c, "input"));
    expect([parsed.major, parsed.minor, parsed.patch]).toEqual([c.major, c.minor, c.patch]);
  },
  "version.full": (c) => expect(v(str(c, "input")).toFullString()).toBe(str(c, "full")),
  "version.normalize": (c) => {
    const parsed = v(str(c, "input"));
    expect(parsed.toNormalizedString()).toBe(str(c, "normalized"));
    if (c.full !== undefined) expect(parsed.toFullString()).toBe(str(c, "full"));
  },
  "version.hasMetadata": (c) => expect(v(str(c, "input")).hasMetadata).toBe(c.hasMetadata),
  "version.metadata": (c) => expect(v(str(c, "input")).metadata).toBe(str(c, "metadata")),
  "version.isPrerelease": (c) => expect(v(str(c, "input")).isPrerelease).toBe(c.isPrerelease),
  "version.release": (c) => expect(v(str(c, "input")).release).toBe(str(c, "release")),
  "version.releaseLabels": (c) => expect(v(str(c, "input")).releaseLabels).toEqual(c.releaseLabels),
  "version.original": (c) => expect(v(str(c, "input")).originalString).toBe(str(c, "original")),
  "version.toStringOriginal": (c) => expect(v(str(c, "input")).toString()).toBe(str(c, "toString")),
  "version.invalid": (c) => {
    expect(tryParseVersion(str(c, "input"))).toBeUndefined();
    expectValidationError(() => parseVersion(str(c, "input")));
  },
  "version.strictInvalid": (c) => {
    expect(tryParseStrictSemVer(str(c, "input"))).toBeUndefined();
    expectValidationError(() => parseStrictSemVer(str(c, "input")));
  },
  "version.strictValid": (c) => {
    const parsed = parseStrictSemVer(str(c, "input"));
    if (c.full !== undefined) expect(parsed.toFullString()).toBe(str(c, "full"));
    if (c.version4 !== undefined) expect(four(parsed)).toBe(str(c, "version4"));
    if (c.release !== undefined) expect(parsed.release).toBe(str(c, "release"));
  },
  "packageId.isValid": (c) => {
    const id = str(c, "input");
    if (typeof c.expected === "boolean") {
      expect(isValidPackageId(id)).toBe(c.expected);
      if (c.expected) expect(validatePackageId(id)).toBe(id);
      else expectValidationError(() => validatePackageId(id));
    } else {
      // "throws..." cases: NuGet's ValidatePackageId throws; ours throws AppError("validation") and isValid says no.
      expect(typeof c.expected === "string" && c.expected.startsWith("throws")).toBe(true);
      expect(isValidPackageId(id)).toBe(false);
      expectValidationError(() => validatePackageId(id));
    }
  },
};

for (const file of ["nuget-versioning.jsonl", "nuget-package-ids.jsonl"]) {
  describe(`published NuGet cases in ${file}`, () => {
    const cases = load(file);
    it("when the file is read, then it holds cases", () => {
      expect(cases.length).toBeGreaterThan(10);
    });
    cases.forEach((c, i) => {
      it(`when line ${i + 1} (${c.kind} ${JSON.stringify(c.input ?? c.range ?? [c.a, c.b])}) runs, then it matches NuGet`, () => {
        const handler = handlers[c.kind];
        expect(handler, `no handler for kind ${c.kind}`).toBeDefined();
        handler?.(c);
      });
    });
  });
}
