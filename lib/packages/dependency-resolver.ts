/*
 * Resolves the closure of packages an assignment needs: one version per package id (ids compare
 * case-insensitively) that satisfies every range reaching it. Pure: the catalogue is a synchronous lookup.
 *
 * Selection rule (also returned as Resolution.selectionRule):
 * - A root (an id a request names) takes the HIGHEST version satisfying every range that reaches it: an admin's
 *   assignment means "newest allowed". A floating root range ("1.*") prefers versions inside its float.
 *   `preferred: "lowest"` on every request for the id flips this.
 * - Any other package takes the LOWEST version satisfying all ranges that reach it (NuGet's lowest-applicable
 *   rule), so a dependency never moves without a manifest asking for it. Floating dependency ranges are taken
 *   by their bounds (NuGet does not allow floats in package manifests).
 * - Prerelease versions are candidates only when some range reaching the id has a prerelease bound or a
 *   prerelease float (NuGet's rule), or a root request sets includePrerelease.
 * - There is no backtracking (as in NuGet): a missing package, an unsatisfiable set of ranges or a dependency
 *   cycle makes that package undeliverable, and with it every package that depends on it, up to the roots.
 * Work is bounded: more than maxPackages ids, or selections that do not settle in maxRounds rounds, make every
 * root undeliverable with reason "too-large".
 */
import { allowsPrerelease, allVersions, satisfies, toNormalizedRangeString, type VersionRange } from "./nuget-range.js";
import { floatSatisfies } from "./nuget-float-range.js";
import { compareVersions } from "./nuget-version-compare.js";
import { normalizePackageId } from "./package-id.js";
import { findCycles, type Graph, installOrder, shortestPaths } from "./resolver-graph.js";
import type {
  CatalogueLookup,
  CatalogueVersion,
  Resolution,
  ResolveOptions,
  ResolvedPackage,
  RootRequest,
  UndeliverablePackage,
  UndeliverableReason,
} from "./resolver-types.js";

export const SELECTION_RULE =
  "Roots take the highest version satisfying every range that reaches them (newest allowed); every other package " +
  "takes the lowest version satisfying all ranges that reach it (NuGet's lowest-applicable rule). Prerelease versions " +
  "are considered only when a range reaching the package names a prerelease bound, or the request includes prerelease. " +
  "No backtracking: a missing, unsatisfiable or cyclic dependency makes every package depending on it undeliverable.";

interface Constraint {
  range: VersionRange;
  /** Who asked: "assignment" for a root request, else "Parent 1.2.3". */
  by: string;
}

interface RootInfo {
  highest: boolean;
  includePrerelease: boolean;
}

type Choice = { version: CatalogueVersion } | { reason: UndeliverableReason; detail: string };

const MAX_LISTED = 10;

class Resolver {
  readonly names = new Map<string, string>();
  private readonly catalogue = new Map<string, CatalogueVersion[]>();
  readonly rootInfo = new Map<string, RootInfo>();

  constructor(private readonly lookup: CatalogueLookup) {}

  versionsOf(key: string): CatalogueVersion[] {
    let versions = this.catalogue.get(key);
    if (versions === undefined) {
      versions = [...this.lookup(this.names.get(key) ?? key)].sort((a, b) => compareVersions(a.version, b.version));
      this.catalogue.set(key, versions);
    }
    return versions;
  }

  choose(key: string, constraints: readonly Constraint[]): Choice {
    const name = this.names.get(key) ?? key;
    const versions = this.versionsOf(key);
    if (versions.length === 0) return { reason: "missing", detail: `No package "${name}" in the catalogue` };
    const root = this.rootInfo.get(key);
    const prerelease = root?.includePrerelease === true || constraints.some((c) => allowsPrerelease(c.range));
    const fits = versions.filter(
      (v) => (prerelease || !v.version.isPrerelease) && constraints.every((c) => satisfies(c.range, v.version)),
    );
    if (fits.length === 0) {
      const wanted = constraints.map((c) => `${toNormalizedRangeString(c.range)} (${c.by})`).join(", ");
      const shown = versions.slice(-MAX_LISTED).map((v) => v.version.toNormalizedString());
      const available = `${versions.length > MAX_LISTED ? "..., " : ""}${shown.join(", ")}`;
      return {
        reason: "unsatisfiable",
        detail: `No version of "${name}" satisfies all of ${wanted}${prerelease ? "" : " among release versions"}; available: ${available}`,
      };
    }
    if (root?.highest !== true) return { version: fits[0] ?? fitsError() };
    const floats = constraints.flatMap((c) => (c.by === "assignment" && c.range.float ? [c.range.float] : []));
    const inFloat = fits.filter((v) => floats.every((f) => floatSatisfies(f, v.version)));
    const pool = inFloat.length > 0 ? inFloat : fits;
    return { version: pool[pool.length - 1] ?? fitsError() };
  }
}

// Unreachable: callers only index non-empty arrays; kept so the types need no non-null assertions.
function fitsError(): never {
  throw new Error("resolver invariant: empty candidate list");
}

interface Round {
  reached: string[];
  constraints: Map<string, Constraint[]>;
  used: Map<string, CatalogueVersion | undefined>;
}

function walk(resolver: Resolver, roots: readonly RootRequest[], selected: ReadonlyMap<string, CatalogueVersion | undefined>, maxPackages: number): Round | undefined {
  const constraints = new Map<string, Constraint[]>();
  const used = new Map<string, CatalogueVersion | undefined>();
  const reached: string[] = [];
  const add = (id: string, c: Constraint): void => {
    const key = normalizePackageId(id);
    if (!resolver.names.has(key)) resolver.names.set(key, id);
    const list = constraints.get(key);
    if (list !== undefined) {
      list.push(c);
      return;
    }
    constraints.set(key, [c]);
    reached.push(key);
  };
  for (const r of roots) add(r.id, { range: r.range ?? allVersions, by: "assignment" });
  for (let head = 0; head < reached.length; head++) {
    if (reached.length > maxPackages) return undefined;
    const key = reached[head] ?? "";
    let chosen: CatalogueVersion | undefined;
    if (selected.has(key)) chosen = selected.get(key);
    else {
      const choice = resolver.choose(key, constraints.get(key) ?? []);
      chosen = "version" in choice ? choice.version : undefined;
    }
    used.set(key, chosen);
    if (chosen === undefined) continue;
    const by = `${resolver.names.get(key) ?? key} ${chosen.version.toNormalizedString()}`;
    for (const dep of chosen.dependencies) add(dep.id, { range: dep.range, by });
  }
  return reached.length > maxPackages ? undefined : { reached, constraints, used };
}

const REASON_WORDS: Record<UndeliverableReason, string> = {
  cycle: "is on a dependency cycle",
  unsatisfiable: "has no version satisfying every range",
  missing: "is missing from the catalogue",
  "too-large": "is too large to resolve",
};

/** Resolves roots and their dependency closure into an install order plus the packages that cannot be delivered; never throws for graph problems (only what `lookup` throws). */
export function resolveDependencies(roots: readonly RootRequest[], lookup: CatalogueLookup, options: ResolveOptions = {}): Resolution {
  const maxPackages = options.maxPackages ?? 10_000;
  const maxRounds = options.maxRounds ?? 100;
  const resolver = new Resolver(lookup);
  for (const r of roots) {
    const key = normalizePackageId(r.id);
    if (!resolver.names.has(key)) resolver.names.set(key, r.id);
    const before = resolver.rootInfo.get(key);
    resolver.rootInfo.set(key, {
      highest: (before?.highest ?? false) || r.preferred !== "lowest",
      includePrerelease: (before?.includePrerelease ?? false) || r.includePrerelease === true,
    });
  }
  const tooLarge = (detail: string): Resolution => ({
    ordered: [],
    undeliverable: [...resolver.rootInfo.keys()].sort().map((k) => ({ id: resolver.names.get(k) ?? k, reason: "too-large", detail, path: [resolver.names.get(k) ?? k] })),
    selectionRule: SELECTION_RULE,
  });

  let selected = new Map<string, CatalogueVersion | undefined>();
  for (let round = 0; round < maxRounds; round++) {
    const state = walk(resolver, roots, selected, maxPackages);
    if (state === undefined) return tooLarge(`The dependency closure reaches more than ${maxPackages} packages`);
    const next = new Map<string, CatalogueVersion | undefined>();
    const failures = new Map<string, { reason: UndeliverableReason; detail: string }>();
    let changed = false;
    for (const key of state.reached) {
      const choice = resolver.choose(key, state.constraints.get(key) ?? []);
      const version = "version" in choice ? choice.version : undefined;
      if (!("version" in choice)) failures.set(key, choice);
      if (version !== state.used.get(key)) changed = true;
      next.set(key, version);
    }
    if (!changed) return finish(resolver, state.reached, next, failures);
    selected = next;
  }
  return tooLarge(`Version selection did not settle within ${maxRounds} rounds`);
}

function finish(
  resolver: Resolver,
  reached: readonly string[],
  selected: ReadonlyMap<string, CatalogueVersion | undefined>,
  failures: ReadonlyMap<string, { reason: UndeliverableReason; detail: string }>,
): Resolution {
  const name = (k: string): string => resolver.names.get(k) ?? k;
  const graph = new Map<string, string[]>();
  for (const key of reached) {
    const deps = selected.get(key)?.dependencies ?? [];
    graph.set(key, [...new Set(deps.map((d) => normalizePackageId(d.id)))]);
  }
  const g: Graph = graph;

  const bad = new Map<string, { reason: UndeliverableReason; detail: string }>(failures);
  for (const [key, cycle] of findCycles(reached, g)) {
    bad.set(key, { reason: "cycle", detail: `Dependency cycle: ${cycle.map(name).join(" -> ")}` });
  }
  // Multi-source breadth-first walk up the reverse edges, so each dependent blames its nearest broken dependency.
  const dependents = new Map<string, string[]>();
  for (const [parent, deps] of graph) {
    for (const d of deps) {
      const list = dependents.get(d);
      if (list === undefined) dependents.set(d, [parent]);
      else list.push(parent);
    }
  }
  const queue = [...bad.keys()].sort();
  const culprit = new Map<string, string>(queue.map((k) => [k, k]));
  for (let head = 0; head < queue.length; head++) {
    const child = queue[head] ?? "";
    const cause = culprit.get(child) ?? child;
    const causeState = bad.get(cause);
    if (causeState === undefined) continue;
    for (const parent of [...(dependents.get(child) ?? [])].sort()) {
      if (bad.has(parent)) continue;
      bad.set(parent, {
        reason: causeState.reason,
        detail: `Requires "${name(child)}"; "${name(cause)}" ${REASON_WORDS[causeState.reason]}`,
      });
      culprit.set(parent, cause);
      queue.push(parent);
    }
  }

  const rootKeys = [...resolver.rootInfo.keys()];
  const paths = shortestPaths(rootKeys, g);
  const pathOf = (k: string): string[] => (paths.get(k) ?? [k]).map(name);
  const needed = new Set<string>();
  const stack = rootKeys.filter((k) => !bad.has(k));
  while (stack.length > 0) {
    const k = stack.pop() ?? "";
    if (needed.has(k)) continue;
    needed.add(k);
    for (const d of graph.get(k) ?? []) stack.push(d);
  }

  const ordered: ResolvedPackage[] = [];
  for (const key of installOrder(needed, g)) {
    const chosen = selected.get(key);
    if (chosen === undefined) continue;
    ordered.push({
      id: name(key),
      version: chosen.version,
      dependencies: chosen.dependencies,
      root: resolver.rootInfo.has(key),
      requiredBy: (dependents.get(key) ?? []).filter((p) => needed.has(p)).sort().map(name),
      path: pathOf(key),
    });
  }
  const undeliverable: UndeliverablePackage[] = [...bad.keys()].sort().map((key) => {
    const state = bad.get(key) ?? { reason: "missing", detail: "" };
    const version = selected.get(key)?.version;
    return { id: name(key), reason: state.reason, detail: state.detail, ...(version ? { version } : {}), path: pathOf(key) };
  });
  return { ordered, undeliverable, selectionRule: SELECTION_RULE };
}
