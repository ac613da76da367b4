import { describe, expect, it } from "vitest";
import { isAppError } from "../../../lib/core/errors.js";
import { NuGetVersion, parseVersion, tryParseVersion } from "../../../lib/packages/nuget-version.js";
import { compareVersions } from "../../../lib/packages/nuget-version-compare.js";

describe("NuGet versions", () => {
  it("when a version is invalid, then parseVersion throws a validation error naming the input and tryParseVersion returns undefined", () => {
    expect(tryParseVersion("1.2.3.4.5")).toBeUndefined();
    let caught: unknown;
    try {
      parseVersion("1.2.3.4.5");
    } catch (e) {
      caught = e;
    }
    expect(isAppError(caught) && caught.kind === "validation" && caught.message.startsWith('"1.2.3.4.5" is not a valid NuGet version')).toBe(true);
  });

  it("when the fourth part is non-zero, then normalization keeps it, and drops it when zero", () => {
    expect(parseVersion("1.2.3.4").toNormalizedString()).toBe("1.2.3.4");
    expect(parseVersion("1.2.3.0-rc").toNormalizedString()).toBe("1.2.3-rc");
    expect(compareVersions(parseVersion("1.2.3.1"), parseVersion("1.2.3"))).toBeGreaterThan(0);
  });

  it("when a version is built in code, then toString falls back to the normalized form", () => {
    expect(new NuGetVersion(1, 0, 0, 0, ["beta"], "sha").toString()).toBe("1.0.0-beta");
    expect(new NuGetVersion(1, 0, 0, 0, ["beta"], "sha").toFullString()).toBe("1.0.0-beta+sha");
  });

  it("when labels are negative-looking numbers or exceed Int32, then they compare as NuGet's Int32.TryParse would", () => {
    expect(compareVersions(parseVersion("1.0.0--1"), parseVersion("1.0.0-0"))).toBeLessThan(0);
    expect(compareVersions(parseVersion("1.0.0-99999999999"), parseVersion("1.0.0-2"))).toBeGreaterThan(0);
  });
});
