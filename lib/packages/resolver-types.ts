import type { NuGetVersion } from "./nuget-version.js";
import type { VersionRange } from "./nuget-range.js";

/** A package an admin assigned: the resolver starts from these. */
export interface RootRequest {
  id: string;
  /** Absent means any version. */
  range?: VersionRange;
  /** Roots default to "highest" (newest allowed); "lowest" applies only when every request for the id says so. */
  preferred?: "highest" | "lowest";
  /** Let prerelease versions be chosen even when no range reaching the id names a prerelease bound. */
  includePrerelease?: boolean;
}

/** One dependency of a catalogue version, as its manifest declares it. */
export interface CatalogueDependency {
  id: string;
  range: VersionRange;
}

/** One published version of a package with its declared dependencies. */
export interface CatalogueVersion {
  version: NuGetVersion;
  dependencies: readonly CatalogueDependency[];
}

/** Every known version of the id (any order, case-insensitive id); an empty array when the package does not exist. */
export type CatalogueLookup = (id: string) => readonly CatalogueVersion[];

export interface ResolveOptions {
  /** Distinct package ids the walk may reach before giving up with "too-large". Default 10,000. */
  maxPackages?: number;
  /** Re-selection rounds before giving up with "too-large" (only pathological graphs need more than a few). Default 100. */
  maxRounds?: number;
}

/** A package to install, with why it is there. */
export interface ResolvedPackage {
  id: string;
  version: NuGetVersion;
  dependencies: readonly CatalogueDependency[];
  /** True when a root request names this id. */
  root: boolean;
  /** Ids of the delivered packages whose chosen versions depend on this one, sorted case-insensitively. */
  requiredBy: string[];
  /** Shortest chain of ids from a root to this package (the root first, this package last). */
  path: string[];
}

export type UndeliverableReason = "cycle" | "unsatisfiable" | "missing" | "too-large";

/** A package that cannot be delivered, itself or because something it needs cannot. */
export interface UndeliverablePackage {
  id: string;
  reason: UndeliverableReason;
  detail: string;
  /** The version that was chosen, when one was (cycles and packages blocked by a dependency). */
  version?: NuGetVersion;
  /** Shortest chain of ids from a root to this package. */
  path: string[];
}

export interface Resolution {
  /** Install order: every package after all of its dependencies; ties broken by case-insensitive id. */
  ordered: ResolvedPackage[];
  /** Sorted by case-insensitive id. */
  undeliverable: UndeliverablePackage[];
  /** The version selection rule in words, for explainability. */
  selectionRule: string;
}
