import type { NuGetVersion } from "./nuget-version.js";

const INT32 = /^-?\d+$/;

// .NET Int32.TryParse as NuGet uses it on a label: an optional "-" and digits within Int32 range.
function labelNumber(label: string): number | undefined {
  if (!INT32.test(label)) return undefined;
  const n = Number(label);
  return n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

const upper = (s: string): string => s.toUpperCase();

/** Compares two release labels as NuGet does: numbers numerically, numbers before words, words ordinal ignoring case. */
function compareLabel(a: string, b: string): number {
  const an = labelNumber(a);
  const bn = labelNumber(b);
  if (an !== undefined && bn !== undefined) return Math.sign(an - bn);
  if (an !== undefined) return -1;
  if (bn !== undefined) return 1;
  const au = upper(a);
  const bu = upper(b);
  return au < bu ? -1 : au > bu ? 1 : 0;
}

/** Orders two versions (negative, 0, positive) by NuGet's default comparer: numbers, then release before prerelease, then labels; metadata ignored. */
export function compareVersions(a: NuGetVersion, b: NuGetVersion): number {
  const numeric =
    Math.sign(a.major - b.major) ||
    Math.sign(a.minor - b.minor) ||
    Math.sign(a.patch - b.patch) ||
    Math.sign(a.revision - b.revision);
  if (numeric !== 0) return numeric;
  if (!a.isPrerelease || !b.isPrerelease) {
    if (a.isPrerelease === b.isPrerelease) return 0;
    return a.isPrerelease ? -1 : 1;
  }
  const count = Math.max(a.releaseLabels.length, b.releaseLabels.length);
  for (let i = 0; i < count; i++) {
    const la = a.releaseLabels[i];
    const lb = b.releaseLabels[i];
    if (la === undefined) return -1;
    if (lb === undefined) return 1;
    const result = compareLabel(la, lb);
    if (result !== 0) return result;
  }
  return 0;
}

/** True when the two versions compare equal (case-insensitive labels, metadata ignored). */
export const versionsEqual = (a: NuGetVersion, b: NuGetVersion): boolean => compareVersions(a, b) === 0;

/** True when only the numeric parts are equal (NuGet's VersionComparison.Version), labels and metadata ignored. */
export const numbersEqual = (a: NuGetVersion, b: NuGetVersion): boolean =>
  a.major === b.major && a.minor === b.minor && a.patch === b.patch && a.revision === b.revision;
