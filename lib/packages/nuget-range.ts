import { AppError } from "../core/errors.js";
import { type FloatRange, floatIncludesPrerelease, floatSatisfies, formatFloatRange, tryParseFloatRange } from "./nuget-float-range.js";
import { type NuGetVersion, tryParseVersion } from "./nuget-version.js";
import { compareVersions, versionsEqual } from "./nuget-version-compare.js";

/**
 * A NuGet version range (NuGet.Versioning's VersionRange). "1.0" means >= 1.0, "[1.0]" exactly 1.0,
 * "(,1.0]", "[1.0,2.0)", "(1.0,)" as in interval notation; a floating lower bound ("1.*") is kept in `float`.
 */
export interface VersionRange {
  readonly minVersion: NuGetVersion | undefined;
  /** The bracket as written; only meaningful when minVersion is set (see isMinInclusive). */
  readonly minInclusive: boolean;
  readonly maxVersion: NuGetVersion | undefined;
  /** The bracket as written; only meaningful when maxVersion is set (see isMaxInclusive). */
  readonly maxInclusive: boolean;
  readonly float: FloatRange | undefined;
  readonly originalString: string;
}

/** True when the range has a lower bound and includes it. */
export const isMinInclusive = (r: VersionRange): boolean => r.minVersion !== undefined && r.minInclusive;
/** True when the range has an upper bound and includes it. */
export const isMaxInclusive = (r: VersionRange): boolean => r.maxVersion !== undefined && r.maxInclusive;

function parseParts(trimmed: string): { min: string; max: string | undefined; minIncl: boolean; maxIncl: boolean } | undefined {
  const open = trimmed[0];
  if (open !== "[" && open !== "(") return { min: trimmed, max: undefined, minIncl: true, maxIncl: false };
  const close = trimmed[trimmed.length - 1];
  if (close !== "]" && close !== ")") return undefined;
  const minIncl = open === "[";
  const maxIncl = close === "]";
  const parts = trimmed.substring(1, trimmed.length - 1).split(",");
  if (parts.length > 2 || parts.every((p) => p.length === 0)) return undefined;
  const [first = "", second] = parts;
  // "(1.0)", "[1.0)" and "(1.0]" are refused: a single version must be written "[1.0]".
  if (second === undefined && !(minIncl && maxIncl)) return undefined;
  return { min: first, max: second ?? first, minIncl, maxIncl };
}

/** Parses a NuGet version range (floating lower bounds allowed); undefined when invalid. */
export function tryParseRange(value: string): VersionRange | undefined {
  const trimmed = value.trim();
  if (trimmed.length === 0) return undefined;
  if (trimmed === "*") {
    const float = tryParseFloatRange("*");
    return float && { minVersion: float.minVersion, minInclusive: true, maxVersion: undefined, maxInclusive: true, float, originalString: value };
  }
  const parts = parseParts(trimmed);
  if (parts === undefined) return undefined;
  let minVersion: NuGetVersion | undefined;
  let float: FloatRange | undefined;
  if (parts.min.trim().length > 0) {
    if (parts.min.includes("*")) {
      float = tryParseFloatRange(parts.min);
      if (float === undefined) return undefined;
      minVersion = float.minVersion;
    } else {
      minVersion = tryParseVersion(parts.min);
      if (minVersion === undefined) return undefined;
    }
  }
  let maxVersion: NuGetVersion | undefined;
  if (parts.max !== undefined && parts.max.trim().length > 0) {
    // The upper bound never floats.
    maxVersion = tryParseVersion(parts.max);
    if (maxVersion === undefined) return undefined;
  }
  if (minVersion !== undefined && maxVersion !== undefined) {
    const order = compareVersions(minVersion, maxVersion);
    if (order > 0 || (order === 0 && !(parts.minIncl && parts.maxIncl))) return undefined;
  }
  return { minVersion, minInclusive: parts.minIncl, maxVersion, maxInclusive: parts.maxIncl, float, originalString: value };
}

/** Parses a NuGet version range; throws AppError("validation") naming the input when it is not a valid range. */
export function parseRange(value: string): VersionRange {
  const range = tryParseRange(value);
  if (range === undefined) {
    throw new AppError("validation", `"${value}" is not a valid NuGet version range (expected e.g. 1.0, [1.0], [1.0,2.0), (,2.0])`, {
      code: "invalid-version-range",
    });
  }
  return range;
}

/** The range that lets every version in (NuGet's VersionRange.All, printed "(, )"). */
export const allVersions: VersionRange = {
  minVersion: undefined,
  minInclusive: false,
  maxVersion: undefined,
  maxInclusive: false,
  float: undefined,
  originalString: "(, )",
};

/** True when the version lies within the range's bounds (metadata ignored; prerelease is not filtered here, see allowsPrerelease). */
export function satisfies(range: VersionRange, version: NuGetVersion): boolean {
  if (range.minVersion !== undefined) {
    const c = compareVersions(version, range.minVersion);
    if (c < 0 || (c === 0 && !range.minInclusive)) return false;
  }
  if (range.maxVersion !== undefined) {
    const c = compareVersions(version, range.maxVersion);
    if (c > 0 || (c === 0 && !range.maxInclusive)) return false;
  }
  return true;
}

/** True when a bound is a prerelease (or the float is a prerelease float): NuGet then lets prerelease versions be chosen. */
export const allowsPrerelease = (range: VersionRange): boolean =>
  range.minVersion?.isPrerelease === true ||
  range.maxVersion?.isPrerelease === true ||
  (range.float !== undefined && floatIncludesPrerelease(range.float));

/** True when the two ranges admit the same versions with the same float (metadata and spelling ignored). */
export function rangesEqual(a: VersionRange, b: VersionRange): boolean {
  const sameBound = (x: NuGetVersion | undefined, y: NuGetVersion | undefined): boolean =>
    x === undefined || y === undefined ? x === y : versionsEqual(x, y);
  const sameFloat =
    a.float === undefined || b.float === undefined
      ? a.float === b.float
      : formatFloatRange(a.float) === formatFloatRange(b.float);
  return (
    sameBound(a.minVersion, b.minVersion) &&
    sameBound(a.maxVersion, b.maxVersion) &&
    isMinInclusive(a) === isMinInclusive(b) &&
    isMaxInclusive(a) === isMaxInclusive(b) &&
    sameFloat
  );
}

/** NuGet's normalized range string, always in interval form: "[1.0.0, )", "(1.0.0, 2.0.0]", "[1.0.0-beta*, 2.0.0)", "(, )". */
export function toNormalizedRangeString(r: VersionRange): string {
  const min = r.minVersion === undefined ? "" : r.float ? formatFloatRange(r.float) : r.minVersion.toNormalizedString();
  const max = r.maxVersion?.toNormalizedString() ?? "";
  return `${isMinInclusive(r) ? "[" : "("}${min}, ${max}${isMaxInclusive(r) ? "]" : ")"}`;
}

/** NuGet's legacy short string: "1.0.0" for a plain minimum, "[1.0.0]" for an exact version, else interval form. */
export function toLegacyShortString(r: VersionRange): string {
  const min = r.minVersion;
  if (min !== undefined && r.minInclusive && r.maxVersion === undefined) return min.toNormalizedString();
  if (min !== undefined && r.maxVersion !== undefined && r.minInclusive && r.maxInclusive && versionsEqual(min, r.maxVersion)) {
    return `[${min.toNormalizedString()}]`;
  }
  return `${isMinInclusive(r) ? "[" : "("}${min?.toNormalizedString() ?? ""}, ${r.maxVersion?.toNormalizedString() ?? ""}${isMaxInclusive(r) ? "]" : ")"}`;
}

/** NuGet's pretty print: "(>= 1.0.0)", "(= 1.0.0)", "(> 1.0.0 && <= 2.0.0)"; "" for the all-versions range. */
export function prettyPrintRange(r: VersionRange): string {
  const { minVersion: min, maxVersion: max } = r;
  if (min === undefined && max === undefined) return "";
  if (min !== undefined && max !== undefined && r.minInclusive && r.maxInclusive && versionsEqual(min, max)) {
    return `(= ${min.toNormalizedString()})`;
  }
  const lower = min === undefined ? undefined : `${r.minInclusive ? ">=" : ">"} ${min.toNormalizedString()}`;
  const upper = max === undefined ? undefined : `${r.maxInclusive ? "<=" : "<"} ${max.toNormalizedString()}`;
  return `(${[lower, upper].filter((s) => s !== undefined).join(" && ")})`;
}

export interface BestMatchOptions {
  /** Let prerelease versions be chosen even when the range names none. Default: allowsPrerelease(range). */
  includePrerelease?: boolean;
}

function candidates(range: VersionRange, versions: Iterable<NuGetVersion>, options: BestMatchOptions): NuGetVersion[] {
  const prerelease = options.includePrerelease ?? allowsPrerelease(range);
  return [...versions].filter((v) => (prerelease || !v.isPrerelease) && satisfies(range, v));
}

/** The highest version satisfying the range (prerelease only when allowed); undefined when none does. */
export function highestSatisfying(range: VersionRange, versions: Iterable<NuGetVersion>, options: BestMatchOptions = {}): NuGetVersion | undefined {
  let best: NuGetVersion | undefined;
  for (const v of candidates(range, versions, options)) if (best === undefined || compareVersions(v, best) > 0) best = v;
  return best;
}

/** The lowest version satisfying the range (prerelease only when allowed); undefined when none does. */
export function lowestSatisfying(range: VersionRange, versions: Iterable<NuGetVersion>, options: BestMatchOptions = {}): NuGetVersion | undefined {
  let best: NuGetVersion | undefined;
  for (const v of candidates(range, versions, options)) if (best === undefined || compareVersions(v, best) < 0) best = v;
  return best;
}

// NuGet's VersionRange.IsBetter for a floating range: inside the float pattern beats outside, highest inside wins;
// outside, a version above the float's minimum beats one below, the lowest above / highest below wins.
function floatBetter(f: FloatRange, current: NuGetVersion, considering: NuGetVersion): boolean {
  const curIn = floatSatisfies(f, current);
  const conIn = floatSatisfies(f, considering);
  if (curIn !== conIn) return conIn;
  if (curIn) return compareVersions(current, considering) < 0;
  const curLow = compareVersions(current, f.minVersion) < 0;
  const conLow = compareVersions(considering, f.minVersion) < 0;
  if (curLow !== conLow) return curLow;
  return curLow ? compareVersions(current, considering) < 0 : compareVersions(current, considering) > 0;
}

/**
 * NuGet's FindBestMatch: for a floating range the highest version matching the float ("1.*" -> newest 1.x),
 * otherwise the lowest satisfying version. Undefined when none satisfies.
 */
export function findBestMatch(range: VersionRange, versions: Iterable<NuGetVersion>, options: BestMatchOptions = {}): NuGetVersion | undefined {
  let best: NuGetVersion | undefined;
  for (const v of candidates(range, versions, options)) {
    if (best === undefined) best = v;
    else if (range.float !== undefined ? floatBetter(range.float, best, v) : compareVersions(best, v) > 0) best = v;
  }
  return best;
}
