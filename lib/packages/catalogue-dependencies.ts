/*
 * Which dependency group a Windows agent uses (the agent is a .NET Framework / Windows program):
 * 1. the group without targetFramework, when the package has one (even an empty one);
 * 2. else the highest Windows-capable group: any `netX.Y-windows…` (X >= 5) ranks above any `net4x`
 *    (short "net48", "net4.8" or long ".NETFramework4.8" / ".NETFramework,Version=v4.8"), higher versions first;
 * 3. else no dependencies (the package declares none that apply to Windows agents).
 * Groups for other frameworks (netstandard, net6.0 without -windows, ...) are never chosen.
 */
import { AppError } from "../core/errors.js";
import type { CatalogueRecord, MetadataDependency, StoredDependency, StoredDependencyGroup } from "./catalogue-record.js";
import { allVersions, toNormalizedRangeString, tryParseRange, type VersionRange } from "./nuget-range.js";
import { parseRange } from "./nuget-range.js";
import { parseVersion } from "./nuget-version.js";
import type { CatalogueVersion } from "./resolver-types.js";

/** The documented group rule in words, for explanations. */
export const DEPENDENCY_GROUP_RULE =
  "Windows agents use the dependency group without targetFramework; without one, the highest netX.Y-windows group, " +
  "else the highest net4x group; otherwise the package has no dependencies for Windows.";

/** A sortable rank for a Windows-capable framework, or undefined when the agent cannot use that group. */
export function windowsFrameworkRank(targetFramework: string): number[] | undefined {
  const tfm = targetFramework.trim();
  const modern = /^net(\d+)\.(\d+)-windows[0-9.]*$/i.exec(tfm);
  if (modern !== null) {
    const major = Number(modern[1]);
    return major >= 5 ? [2, major, Number(modern[2])] : undefined;
  }
  const shortForm = /^net4(\d)(\d)?(?:-client)?$/i.exec(tfm);
  if (shortForm !== null) return [1, 4, Number(shortForm[1]), Number(shortForm[2] ?? 0)];
  const dotted = /^(?:net|\.NETFramework,?\s*(?:Version=)?v?)4\.(\d+)(?:\.(\d+))?(?:,\s*Profile=Client)?$/i.exec(tfm);
  if (dotted !== null) return [1, 4, Number(dotted[1]), Number(dotted[2] ?? 0)];
  return undefined;
}

const compareRanks = (a: readonly number[], b: readonly number[]): number => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
};

/** The group a Windows agent uses (rule above); undefined when none applies. */
export function windowsDependencyGroup(groups: readonly StoredDependencyGroup[]): StoredDependencyGroup | undefined {
  const neutral = groups.find((g) => g.targetFramework === undefined || g.targetFramework.trim() === "");
  if (neutral !== undefined) return neutral;
  let best: { group: StoredDependencyGroup; rank: number[] } | undefined;
  for (const group of groups) {
    const rank = windowsFrameworkRank(group.targetFramework ?? "");
    if (rank !== undefined && (best === undefined || compareRanks(rank, best.rank) > 0)) best = { group, rank };
  }
  return best?.group;
}

/** The flat dependency list a Windows agent installs for this record; [] when no group applies. */
export const windowsDependencies = (record: Pick<CatalogueRecord, "dependencyGroups">): StoredDependency[] =>
  windowsDependencyGroup(record.dependencyGroups)?.dependencies ?? [];

/** A dependency range in normalized interval form; absent or blank means any version. Throws AppError validation when unparsable. */
export function normalizeDependencyRange(dependency: MetadataDependency): string {
  const { range } = dependency;
  let parsed: VersionRange | undefined;
  if (range === undefined || (typeof range === "string" && range.trim() === "")) parsed = allVersions;
  else if (typeof range === "string") parsed = tryParseRange(range);
  else parsed = range;
  if (parsed === undefined) {
    throw new AppError("validation", `Dependency "${dependency.id}" has an invalid version range "${typeof range === "string" ? range : (range?.originalString ?? "")}"`, {
      code: "invalid-version-range",
    });
  }
  return toNormalizedRangeString(parsed);
}

/** The record as the resolver sees it (parsed version, the Windows group's parsed ranges). Throws AppError validation on corrupt stored text. */
export function toCatalogueVersion(record: CatalogueRecord): CatalogueVersion {
  return {
    version: parseVersion(record.version),
    dependencies: windowsDependencies(record).map((d) => ({ id: d.id, range: parseRange(d.range) })),
  };
}
