import { describe, expect, it } from "vitest";
import { isAppError } from "../../../lib/core/errors.js";
import {
  allowsPrerelease,
  allVersions,
  findBestMatch,
  highestSatisfying,
  lowestSatisfying,
  parseRange,
  prettyPrintRange,
  satisfies,
  toNormalizedRangeString,
} from "../../../lib/packages/nuget-range.js";
import { type NuGetVersion, parseVersion } from "../../../lib/packages/nuget-version.js";

const versions = (...texts: string[]): NuGetVersion[] => texts.map(parseVersion);
const str = (v: NuGetVersion | undefined): string | undefined => v?.toNormalizedString();

describe("NuGet version ranges", () => {
  it("when a range has spaces around brackets, commas and versions, then they are tolerated", () => {
    expect(toNormalizedRangeString(parseRange("  [ 1.0 ,  2.0 )  "))).toBe("[1.0.0, 2.0.0)");
  });

  it("when a range is invalid, then parseRange throws a validation error naming the input", () => {
    let caught: unknown;
    try {
      parseRange("[2.0, 1.0]");
    } catch (e) {
      caught = e;
    }
    expect(isAppError(caught) && caught.kind === "validation" && caught.message.includes('"[2.0, 1.0]"')).toBe(true);
  });

  it("when a range floats, then it prints in NuGet's float notation and its bounds start at the float's minimum", () => {
    expect(toNormalizedRangeString(parseRange("1.*"))).toBe("[1.*, )");
    expect(toNormalizedRangeString(parseRange("[1.0.0-beta*, 2.0.0)"))).toBe("[1.0.0-beta*, 2.0.0)");
    expect(toNormalizedRangeString(parseRange("*"))).toBe("[*, )");
    expect(toNormalizedRangeString(parseRange("1.0.0-*"))).toBe("[1.0.0-*, )");
    expect(toNormalizedRangeString(parseRange("1.*-rc*"))).toBe("[1.*-rc*, )");
    expect(str(parseRange("1.0.0-*").minVersion)).toBe("1.0.0-0");
    expect(prettyPrintRange(parseRange("1.2.*"))).toBe("(>= 1.2.0)");
  });

  it("when the best match is sought for a floating range, then the highest version inside the float wins", () => {
    const all = versions("0.9.0", "1.0.0", "1.3.0", "1.4.0-beta", "2.0.0");
    expect(str(findBestMatch(parseRange("1.*"), all))).toBe("1.3.0");
    expect(str(findBestMatch(parseRange("1.4.0-*"), all))).toBe("1.4.0-beta");
    expect(str(findBestMatch(parseRange("3.*"), all))).toBeUndefined();
    expect(str(findBestMatch(parseRange("[1.0, 2.0]"), all))).toBe("1.0.0");
  });

  it("when the range names no prerelease, then best-match helpers pass over prerelease versions unless asked", () => {
    const all = versions("1.0.0", "1.5.0-beta", "2.0.0-rc.1");
    const range = parseRange("1.0");
    expect(satisfies(range, parseVersion("2.0.0-rc.1"))).toBe(true);
    expect(allowsPrerelease(range)).toBe(false);
    expect(str(highestSatisfying(range, all))).toBe("1.0.0");
    expect(str(highestSatisfying(range, all, { includePrerelease: true }))).toBe("2.0.0-rc.1");
    expect(str(lowestSatisfying(parseRange("[1.1.0-alpha, )"), all))).toBe("1.5.0-beta");
    expect(str(lowestSatisfying(parseRange("[3.0, )"), all))).toBeUndefined();
  });

  it("when the range is the all-versions range, then every version satisfies it and it prints as (, )", () => {
    expect(satisfies(allVersions, parseVersion("0.0.0-a"))).toBe(true);
    expect(toNormalizedRangeString(allVersions)).toBe("(, )");
    expect(prettyPrintRange(allVersions)).toBe("");
  });
});
