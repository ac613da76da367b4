import { notFound } from "../core/errors.js";
import type { EffectivePolicy } from "../policies/policy.js";
import type { DeliveryAudience } from "./assignment-effective.js";
import type { AssignmentRepository } from "./assignment-repository.js";
import type { Assignment } from "./assignment-schema.js";
import { windowsDependencies } from "./catalogue-dependencies.js";
import type { CatalogueRecord } from "./catalogue-record.js";
import type { CatalogueRepository } from "./catalogue-repository.js";
import { explainPackage, type PackageExplanation } from "./explain-package.js";
import { resolveInstallLink, type InstallLinkResult } from "./install-link.js";
import { manifestFromPlan } from "./manifest-builder.js";
import { planDelivery, type DeliveryPlan } from "./manifest-plan.js";
import type { ManifestBody } from "./manifest-types.js";
import { normalizePackageId } from "./package-id.js";

/** The part of the effective policy delivery reads. */
export type DeliveryPolicy = Pick<EffectivePolicy, "acceptLegacyHashes">;

// Beyond this many ids the loader stops following dependencies; the resolver then reports the rest as missing.
const MAX_LOADED_IDS = 5_000;

/** Agent and admin use-cases that read the delivery plan: the manifest, install links, explanations. */
export class DeliveryService {
  constructor(
    private readonly catalogue: CatalogueRepository,
    private readonly assignments: AssignmentRepository,
    /** The back-end's public base URL (RJ_PUBLIC_BASE_URL). */
    private readonly baseUrl: string,
  ) {}

  /** The unsigned manifest body of GET /api/agent/v1/packages; sign it with DocumentSigner (typ "rj-manifest+jwt"). Throws only storage errors. */
  async manifest(realmId: string, audience: DeliveryAudience, policy: DeliveryPolicy): Promise<ManifestBody> {
    return manifestFromPlan(await this.plan(realmId, audience, policy));
  }

  /** See resolveInstallLink: throws AppError not-found, forbidden "not-assigned" or conflict "undeliverable". */
  async installLink(realmId: string, audience: DeliveryAudience, packageId: string, policy: DeliveryPolicy): Promise<InstallLinkResult> {
    const exists = (await this.catalogue.versionsOf(realmId, packageId)).length > 0;
    return resolveInstallLink(await this.plan(realmId, audience, policy, [packageId]), packageId, exists);
  }

  /** Why the device gets the package or not; throws AppError not-found only when the id is neither in the catalogue nor assigned. */
  async explain(realmId: string, audience: DeliveryAudience, packageId: string, policy: DeliveryPolicy): Promise<PackageExplanation> {
    const { plan, assignments, catalogue } = await this.load(realmId, audience, policy, [packageId]);
    const key = normalizePackageId(packageId);
    const known = catalogue.some((r) => normalizePackageId(r.id) === key) || assignments.some((a) => normalizePackageId(a.packageId) === key);
    if (!known) throw notFound(`No package "${packageId}" in this realm`);
    return explainPackage(plan, packageId);
  }

  /** Loads the realm's assignments and the catalogue versions the closure can reach, then plans. */
  async plan(realmId: string, audience: DeliveryAudience, policy: DeliveryPolicy, extraIds: readonly string[] = []): Promise<DeliveryPlan> {
    return (await this.load(realmId, audience, policy, extraIds)).plan;
  }

  private async load(realmId: string, audience: DeliveryAudience, policy: DeliveryPolicy, extraIds: readonly string[]) {
    const assignments = await this.assignments.list(realmId);
    const catalogue = await this.loadClosure(realmId, assignments, extraIds);
    const plan = planDelivery({ realmId, audience, assignments, catalogue, acceptLegacyHashes: policy.acceptLegacyHashes, baseUrl: this.baseUrl });
    return { plan, assignments, catalogue };
  }

  // Every version of each assigned id, then of every id any loaded version depends on, wave by wave.
  private async loadClosure(realmId: string, assignments: readonly Assignment[], extraIds: readonly string[]): Promise<CatalogueRecord[]> {
    const seen = new Set<string>();
    const out: CatalogueRecord[] = [];
    let wave = [...assignments.map((a) => a.packageId), ...extraIds];
    while (wave.length > 0 && seen.size < MAX_LOADED_IDS) {
      const fresh = [...new Map(wave.map((id) => [normalizePackageId(id), id])).entries()].filter(([k]) => !seen.has(k));
      for (const [k] of fresh) seen.add(k);
      const loaded = (await Promise.all(fresh.map(([, id]) => this.catalogue.versionsOf(realmId, id)))).flat();
      out.push(...loaded);
      wave = loaded.flatMap((r) => windowsDependencies(r).map((d) => d.id));
    }
    return out;
  }
}
