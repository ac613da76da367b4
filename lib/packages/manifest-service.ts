import { notFound } from "../core/errors.js";
import type { EffectivePolicy } from "../policies/policy.js";
import type { DeliveryAudience } from "./assignment-effective.js";
import type { AssignmentRepository } from "./assignment-repository.js";
import type { CatalogueRepository } from "./catalogue-repository.js";
import { DeliverySnapshotCache, type DeliverySnapshot, type DeliverySnapshotCacheOptions } from "./delivery-snapshot-cache.js";
import { explainPackage, type PackageExplanation } from "./explain-package.js";
import { resolveInstallLink, type InstallLinkResult } from "./install-link.js";
import { manifestFromPlan } from "./manifest-builder.js";
import { planDelivery, type DeliveryPlan } from "./manifest-plan.js";
import type { ManifestBody } from "./manifest-types.js";
import { normalizePackageId } from "./package-id.js";

/** The part of the effective policy delivery reads. */
export type DeliveryPolicy = Pick<EffectivePolicy, "acceptLegacyHashes">;

/**
 * Agent and admin use-cases that read the delivery plan: the manifest, install links, explanations. Each call reads
 * the realm's two generation rows (one point read each) and plans over the snapshot cached for them; any write that
 * can change a manifest bumps a generation in the same transaction, so every instance reloads on its next call.
 */
export class DeliveryService {
  private readonly snapshots: DeliverySnapshotCache;

  constructor(
    private readonly catalogue: CatalogueRepository,
    private readonly assignments: AssignmentRepository,
    /** The back-end's public base URL (RJ_PUBLIC_BASE_URL). */
    private readonly baseUrl: string,
    cache: DeliverySnapshotCacheOptions = {},
    /**
     * The realm's delivery generation token from the cached realm row (see Realm.generations): with it a poll reads no
     * generation rows at all. Without it, each call reads the realm's two generation rows.
     */
    private readonly realmGeneration?: (realmId: string) => Promise<string>,
  ) {
    this.snapshots = new DeliverySnapshotCache(cache);
  }

  /** The unsigned manifest body of GET /api/agent/v1/packages; sign it with DocumentSigner (typ "rj-manifest+jwt"). Throws only storage errors. */
  async manifest(realmId: string, audience: DeliveryAudience, policy: DeliveryPolicy): Promise<ManifestBody> {
    return manifestFromPlan(await this.plan(realmId, audience, policy));
  }

  /** See resolveInstallLink: throws AppError not-found, forbidden "not-assigned" or conflict "undeliverable". */
  async installLink(realmId: string, audience: DeliveryAudience, packageId: string, policy: DeliveryPolicy): Promise<InstallLinkResult> {
    const { plan, catalogue } = await this.load(realmId, audience, policy);
    const key = normalizePackageId(packageId);
    return resolveInstallLink(plan, packageId, catalogue.some((r) => normalizePackageId(r.id) === key));
  }

  /** Why the device gets the package or not; throws AppError not-found only when the id is neither in the catalogue nor assigned. */
  async explain(realmId: string, audience: DeliveryAudience, packageId: string, policy: DeliveryPolicy): Promise<PackageExplanation> {
    const { plan, assignments, catalogue } = await this.load(realmId, audience, policy);
    const key = normalizePackageId(packageId);
    const known = catalogue.some((r) => normalizePackageId(r.id) === key) || assignments.some((a) => normalizePackageId(a.packageId) === key);
    if (!known) throw notFound(`No package "${packageId}" in this realm`);
    return explainPackage(plan, packageId);
  }

  /** True when the audience's manifest delivers exactly this version of the package (assigned, or a dependency of one). */
  async delivers(realmId: string, audience: DeliveryAudience, policy: DeliveryPolicy, packageId: string, version: string): Promise<boolean> {
    const { plan } = await this.load(realmId, audience, policy);
    const key = normalizePackageId(packageId);
    const wanted = version.toLowerCase();
    return plan.delivered.some((p) => normalizePackageId(p.id) === key && p.version.toLowerCase() === wanted);
  }

  /** Plans over the realm's assignments and catalogue as of the current generations. Throws only storage errors. */
  async plan(realmId: string, audience: DeliveryAudience, policy: DeliveryPolicy): Promise<DeliveryPlan> {
    return (await this.load(realmId, audience, policy)).plan;
  }

  /** The realm's assignments and catalogue as of the current generations (shared, never mutate). */
  async snapshotOf(realmId: string): Promise<DeliverySnapshot> {
    return await this.snapshot(realmId);
  }

  private async load(realmId: string, audience: DeliveryAudience, policy: DeliveryPolicy) {
    const { assignments, catalogue } = await this.snapshot(realmId);
    const plan = planDelivery({ realmId, audience, assignments, catalogue, acceptLegacyHashes: policy.acceptLegacyHashes, baseUrl: this.baseUrl });
    return { plan, assignments, catalogue };
  }

  // The generations are read before the data, so a snapshot is never older than the key it is cached under.
  private async snapshot(realmId: string): Promise<DeliverySnapshot> {
    const key =
      this.realmGeneration === undefined
        ? JSON.stringify(await Promise.all([this.catalogue.generation(realmId), this.assignments.generation(realmId)]))
        : `realm:${await this.realmGeneration(realmId)}`;
    return this.snapshots.get(realmId, key, async () => {
      const [assignments, catalogue] = await Promise.all([this.assignments.list(realmId), this.catalogue.listAll(realmId)]);
      return { assignments, catalogue };
    });
  }
}
