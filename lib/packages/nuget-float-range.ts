import { NuGetVersion, tryParseVersion } from "./nuget-version.js";
import { numbersEqual, versionsEqual } from "./nuget-version-compare.js";

/** Which part of a version a floating range ("1.*", "1.0.0-beta*", "*-*") lets float, as NuGet's NuGetVersionFloatBehavior. */
export type FloatBehavior =
  | "none"
  | "prerelease"
  | "revision"
  | "patch"
  | "minor"
  | "major"
  | "prerelease-revision"
  | "prerelease-patch"
  | "prerelease-minor"
  | "prerelease-major"
  | "absolute-latest";

/** A parsed floating version (NuGet's FloatRange): the lowest version it stands for and what floats. */
export interface FloatRange {
  readonly behavior: FloatBehavior;
  readonly minVersion: NuGetVersion;
  /** The fixed start of the release label for prerelease floats ("beta" in "1.0.0-beta*"); "" for "-*". */
  readonly releasePrefix: string | undefined;
}

const partCount = (numbers: string): number => numbers.split(".").length;

function parsePrereleaseDoubleStar(text: string): FloatRange | undefined {
  // Two stars only in "N.*-prefix*": the first star right before the first dash, the last at the very end.
  const first = text.indexOf("*");
  const dash = text.indexOf("-");
  if (dash === -1 || text.lastIndexOf("*") !== text.length - 1 || first !== dash - 1) return undefined;
  const stable = `${text.substring(0, dash - 1)}0`;
  const behaviors: Record<number, FloatBehavior> = {
    1: "prerelease-major",
    2: "prerelease-minor",
    3: "prerelease-patch",
    4: "prerelease-revision",
  };
  const behavior = behaviors[partCount(stable)];
  if (behavior === undefined) return undefined;
  const releasePrefix = text.substring(dash + 1, text.length - 1);
  const releasePart = releasePrefix.length === 0 || releasePrefix.endsWith(".") ? `${releasePrefix}0` : releasePrefix;
  const minVersion = tryParseVersion(`${stable}-${releasePart}`);
  return minVersion === undefined ? undefined : { behavior, minVersion, releasePrefix };
}

function parseSingleStar(text: string): FloatRange | undefined {
  let actual = text.substring(0, text.length - 1);
  let behavior: FloatBehavior;
  let releasePrefix: string | undefined;
  const dash = text.indexOf("-");
  if (dash === -1) {
    actual += "0";
    const byParts: Record<number, FloatBehavior> = { 2: "minor", 3: "patch", 4: "revision" };
    behavior = byParts[partCount(actual)] ?? "none";
  } else {
    behavior = "prerelease";
    releasePrefix = actual.substring(dash + 1);
    // An empty label (or one ending in ".") is not a version, so "1.0.0-*" starts at "1.0.0-0".
    if (releasePrefix.length === 0 || actual.endsWith(".")) actual += "0";
  }
  const minVersion = tryParseVersion(actual);
  return minVersion === undefined ? undefined : { behavior, minVersion, releasePrefix };
}

/** Parses a floating version such as "*", "1.*", "1.0.0-beta*", "1.*-*"; undefined when it is not a valid float. */
export function tryParseFloatRange(text: string): FloatRange | undefined {
  if (text.trim().length === 0) return undefined;
  if (text === "*") return { behavior: "major", minVersion: new NuGetVersion(0, 0, 0, 0), releasePrefix: undefined };
  if (text === "*-*") {
    return { behavior: "absolute-latest", minVersion: new NuGetVersion(0, 0, 0, 0, ["0"]), releasePrefix: "" };
  }
  const first = text.indexOf("*");
  const last = text.lastIndexOf("*");
  const hasPlus = text.includes("+");
  if (first !== last && last !== -1 && !hasPlus) return parsePrereleaseDoubleStar(text);
  if (last === text.length - 1 && !hasPlus) return parseSingleStar(text);
  const minVersion = tryParseVersion(text);
  return minVersion === undefined ? undefined : { behavior: "none", minVersion, releasePrefix: undefined };
}

/** True when the float behaviour lets prerelease versions in. */
export const floatIncludesPrerelease = (f: FloatRange): boolean =>
  f.behavior === "prerelease" || f.behavior === "absolute-latest" || f.behavior.startsWith("prerelease-");

const labelMatches = (f: FloatRange, v: NuGetVersion): boolean =>
  !v.isPrerelease || v.release.toLowerCase().startsWith((f.releasePrefix ?? "").toLowerCase());

/** True when the version lies inside the float's own pattern (e.g. 1.x for "1.*"), as NuGet's FloatRange.Satisfies. */
export function floatSatisfies(f: FloatRange, v: NuGetVersion): boolean {
  const m = f.minVersion;
  switch (f.behavior) {
    case "none":
      return versionsEqual(m, v);
    case "prerelease":
      return numbersEqual(m, v) && labelMatches(f, v);
    case "revision":
      return m.major === v.major && m.minor === v.minor && m.patch === v.patch;
    case "patch":
      return m.major === v.major && m.minor === v.minor;
    case "minor":
      return m.major === v.major;
    case "major":
    case "absolute-latest":
      return true;
    case "prerelease-revision":
      return m.major === v.major && m.minor === v.minor && m.patch === v.patch && labelMatches(f, v);
    case "prerelease-patch":
      return m.major === v.major && m.minor === v.minor && labelMatches(f, v);
    case "prerelease-minor":
      return m.major === v.major && labelMatches(f, v);
    case "prerelease-major":
      return labelMatches(f, v);
  }
}

/** The float as NuGet prints it ("1.*", "1.0.0-beta*", "*-*"); a non-floating value prints normalized. */
export function formatFloatRange(f: FloatRange): string {
  const m = f.minVersion;
  const prefix = f.releasePrefix ?? "";
  switch (f.behavior) {
    case "none":
      return m.toNormalizedString();
    case "prerelease":
      return `${new NuGetVersion(m.major, m.minor, m.patch, m.revision).toNormalizedString()}-${prefix}*`;
    case "revision":
      return `${m.major}.${m.minor}.${m.patch}.*`;
    case "patch":
      return `${m.major}.${m.minor}.*`;
    case "minor":
      return `${m.major}.*`;
    case "major":
      return "*";
    case "prerelease-revision":
      return `${m.major}.${m.minor}.${m.patch}.*-${prefix}*`;
    case "prerelease-patch":
      return `${m.major}.${m.minor}.*-${prefix}*`;
    case "prerelease-minor":
      return `${m.major}.*-${prefix}*`;
    case "prerelease-major":
      return `*-${prefix}*`;
    case "absolute-latest":
      return "*-*";
  }
}
