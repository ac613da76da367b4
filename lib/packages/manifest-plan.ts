/*
 * The delivery plan of one device (and user): which assignment wins per package, which versions the resolver
 * selects, and which packages cannot be delivered. Pure: the manifest, install links and explanations all read it.
 * Meanings: required/available/preview/update deliver (preview also lets prerelease versions be chosen);
 * uninstall is listed without a download; exclude removes the package. A delivered package that needs an excluded
 * or uninstalled package cannot be delivered ("excluded-dependency"); a selected legacy (SHA-1 only) version is
 * refused unless the policy accepts legacy hashes ("legacy-hash-refused"), and so is everything needing it.
 */
import { effectiveAssignments, type EffectivePackage } from "./assignment-effective.js";
import { DELIVERING_INTENTS } from "./assignment-schema.js";
import { toCatalogueVersion, windowsDependencies } from "./catalogue-dependencies.js";
import type { CatalogueRecord } from "./catalogue-record.js";
import { resolveDependencies } from "./dependency-resolver.js";
import type { DeliveredIntent, ManifestInput, ManifestPackage, ManifestUndeliverable, ManifestUndeliverableReason, ManifestUninstall } from "./manifest-types.js";
import { parseRange } from "./nuget-range.js";
import { compareVersions } from "./nuget-version-compare.js";
import { normalizePackageId } from "./package-id.js";
import type { CatalogueVersion, ResolvedPackage, RootRequest } from "./resolver-types.js";

/** Where a package sits in the dependency graph (from the resolver). */
export interface PlacedPackage {
  /** Shortest chain of ids from an assigned package to this one. */
  path: string[];
  /** Delivered packages that need this one. */
  requiredBy: string[];
}

/** The plan: effective assignments, deliveries in install order, uninstalls, undeliverables, and graph positions by lower-case id. */
export interface DeliveryPlan {
  realmId: string;
  deviceId: string;
  effective: ReadonlyMap<string, EffectivePackage>;
  delivered: ManifestPackage[];
  uninstall: ManifestUninstall[];
  undeliverable: ManifestUndeliverable[];
  placement: ReadonlyMap<string, PlacedPackage>;
  selectionRule: string;
}

/** The back-end's own content route for one version (stable across polls: no SAS in it). */
export function contentUrl(baseUrl: string, id: string, version: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/api/content/${encodeURIComponent(id)}/${encodeURIComponent(version)}`;
}

class CatalogueIndex {
  private readonly byKey = new Map<string, CatalogueRecord[]>();
  private readonly parsed = new Map<string, CatalogueVersion[]>();

  constructor(records: readonly CatalogueRecord[]) {
    for (const r of records) {
      const key = normalizePackageId(r.id);
      const list = this.byKey.get(key);
      if (list === undefined) this.byKey.set(key, [r]);
      else list.push(r);
    }
  }

  versions(key: string): CatalogueVersion[] {
    let v = this.parsed.get(key);
    if (v === undefined) {
      v = (this.byKey.get(key) ?? []).map(toCatalogueVersion);
      this.parsed.set(key, v);
    }
    return v;
  }

  record(key: string, version: string): CatalogueRecord | undefined {
    const wanted = version.toLowerCase();
    return this.byKey.get(key)?.find((r) => r.version.toLowerCase() === wanted);
  }

  newest(key: string): CatalogueRecord | undefined {
    const versions = this.versions(key);
    let best: { i: number; v: CatalogueVersion } | undefined;
    versions.forEach((v, i) => {
      if (best === undefined || compareVersions(v.version, best.v.version) > 0) best = { i, v };
    });
    return best === undefined ? undefined : this.byKey.get(key)?.[best.i];
  }
}

interface Blocked {
  reason: ManifestUndeliverableReason;
  detail: string;
}

/** Builds the delivery plan; never throws for graph or policy problems (they become undeliverable entries). */
export function planDelivery(input: ManifestInput): DeliveryPlan {
  const effective = effectiveAssignments(input.assignments, input.audience);
  const index = new CatalogueIndex(input.catalogue);

  const roots: RootRequest[] = [];
  const uninstall: ManifestUninstall[] = [];
  const removed = new Map<string, string>();
  for (const [key, e] of effective) {
    const a = e.winner.assignment;
    if (DELIVERING_INTENTS.has(a.intent)) {
      roots.push({ id: a.packageId, ...(a.range === undefined ? {} : { range: parseRange(a.range) }), ...(a.intent === "preview" ? { includePrerelease: true } : {}) });
    } else if (a.intent === "uninstall") {
      const context = index.newest(key)?.installContext;
      uninstall.push({ id: index.newest(key)?.id ?? a.packageId, intent: "uninstall", ...(a.range === undefined ? {} : { range: a.range }), ...(context ? { installContext: context } : {}) });
      removed.set(key, "is to be uninstalled from this device");
    } else {
      removed.set(key, "is excluded for this device");
    }
  }

  const resolution = resolveDependencies(roots, (id) => index.versions(normalizePackageId(id)));
  const placement = new Map<string, PlacedPackage>();
  for (const p of resolution.ordered) placement.set(normalizePackageId(p.id), { path: p.path, requiredBy: p.requiredBy });
  for (const u of resolution.undeliverable) placement.set(normalizePackageId(u.id), { path: u.path, requiredBy: [] });

  const blocked = blockedPackages(resolution.ordered, index, removed, input.acceptLegacyHashes);
  const needed = neededKeys(resolution.ordered, effective, blocked);

  const delivered: ManifestPackage[] = [];
  for (const p of resolution.ordered) {
    const key = normalizePackageId(p.id);
    const record = index.record(key, p.version.toNormalizedString());
    if (!needed.has(key) || record === undefined) continue;
    const winner = effective.get(key)?.winner.assignment;
    const intent: DeliveredIntent = winner !== undefined && DELIVERING_INTENTS.has(winner.intent) ? (winner.intent as DeliveredIntent) : "dependency";
    delivered.push(toEntry(record, intent, input.baseUrl));
  }

  const undeliverable: ManifestUndeliverable[] = [
    ...resolution.undeliverable.map((u) => ({ id: u.id, reason: u.reason, detail: u.detail })),
    ...[...blocked].flatMap(([key, b]) => (b === "removed" ? [] : [{ id: index.newest(key)?.id ?? nameOf(resolution.ordered, key), ...b }])),
  ].sort((a, b) => byKey(a.id, b.id));

  const deliveredKeys = new Set(delivered.map((p) => normalizePackageId(p.id)));
  for (const [key, placed] of placement) {
    placement.set(key, { ...placed, requiredBy: placed.requiredBy.filter((r) => deliveredKeys.has(normalizePackageId(r))) });
  }
  uninstall.sort((a, b) => byKey(a.id, b.id));
  return {
    realmId: input.realmId,
    deviceId: input.audience.deviceId,
    effective,
    delivered,
    uninstall,
    undeliverable,
    placement,
    selectionRule: resolution.selectionRule,
  };
}

function byKey(a: string, b: string): number {
  const x = normalizePackageId(a);
  const y = normalizePackageId(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const nameOf = (ordered: readonly ResolvedPackage[], key: string): string => ordered.find((p) => normalizePackageId(p.id) === key)?.id ?? key;

// Walks the install order (dependencies come first), so each package sees its dependencies' state and blames
// the nearest culprit, as the resolver does for its own reasons.
function blockedPackages(
  ordered: readonly ResolvedPackage[],
  index: CatalogueIndex,
  removed: ReadonlyMap<string, string>,
  acceptLegacyHashes: boolean,
): Map<string, Blocked | "removed"> {
  const blocked = new Map<string, Blocked | "removed">();
  const culprit = new Map<string, { name: string; reason: ManifestUndeliverableReason; words: string }>();
  for (const p of ordered) {
    const key = normalizePackageId(p.id);
    const version = p.version.toNormalizedString();
    const removedWhy = removed.get(key);
    if (removedWhy !== undefined) {
      blocked.set(key, "removed");
      culprit.set(key, { name: p.id, reason: "excluded-dependency", words: removedWhy });
      continue;
    }
    const record = index.record(key, version);
    if (record !== undefined && record.sha256 === undefined && !acceptLegacyHashes) {
      const detail = `"${record.id}" ${version} has only a legacy SHA-1 hash and the effective policy does not accept legacy hashes`;
      blocked.set(key, { reason: "legacy-hash-refused", detail });
      culprit.set(key, { name: record.id, reason: "legacy-hash-refused", words: "has only a legacy SHA-1 hash, refused by policy" });
      continue;
    }
    for (const dep of [...new Set(p.dependencies.map((d) => normalizePackageId(d.id)))].sort()) {
      const cause = culprit.get(dep);
      if (cause === undefined) continue;
      const child = nameOf(ordered, dep);
      blocked.set(key, { reason: cause.reason, detail: `Requires "${child}"; "${cause.name}" ${cause.words}` });
      culprit.set(key, cause);
      break;
    }
  }
  return blocked;
}

function neededKeys(ordered: readonly ResolvedPackage[], effective: ReadonlyMap<string, EffectivePackage>, blocked: ReadonlyMap<string, unknown>): Set<string> {
  const byKey = new Map(ordered.map((p) => [normalizePackageId(p.id), p]));
  const needed = new Set<string>();
  const stack = ordered.map((p) => normalizePackageId(p.id)).filter((k) => {
    const winner = effective.get(k)?.winner.assignment;
    return winner !== undefined && DELIVERING_INTENTS.has(winner.intent) && !blocked.has(k);
  });
  while (stack.length > 0) {
    const key = stack.pop() ?? "";
    if (needed.has(key) || blocked.has(key)) continue;
    needed.add(key);
    for (const d of byKey.get(key)?.dependencies ?? []) stack.push(normalizePackageId(d.id));
  }
  return needed;
}

function toEntry(record: CatalogueRecord, intent: DeliveredIntent, baseUrl: string): ManifestPackage {
  const url = contentUrl(baseUrl, record.id, record.version);
  return {
    id: record.id,
    version: record.version,
    ...(record.sha256 !== undefined ? { sha256: record.sha256 } : { sha1: record.sha1 ?? "", legacyHash: true as const }),
    size: record.size,
    installContext: record.installContext,
    intent,
    dependencies: windowsDependencies(record).map((d) => ({ id: d.id, range: d.range })),
    downloadUrl: url,
    contentInfoUrl: url,
  };
}
