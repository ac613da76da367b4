import { audienceOf } from "../agent-config/audience.js";
import { effectivePolicyFor } from "../agent-config/effective-policy.js";
import type { DeviceRepository } from "../devices/device-repository.js";
import type { GroupMembership } from "../directory/directory.js";
import type { ManifestPackage } from "../packages/manifest-types.js";
import type { DeliveryService } from "../packages/manifest-service.js";
import { normalizePackageId } from "../packages/package-id.js";
import type { PolicyRepository } from "../policies/policy-repository.js";
import { undeliverableRequired } from "../packages/delivery-impact.js";
import type { PlannedPackage, RequiredPackagesSource, UndeliverableRequiredPackage } from "./required-packages.js";

/**
 * The initial run's packages from the manifest: every `required` entry and, transitively, the
 * dependencies they need, in the manifest's install order (dependencies first).
 */
export class CatalogueRequiredPackages implements RequiredPackagesSource {
  constructor(private readonly deps: { delivery: DeliveryService; devices: DeviceRepository; policies: PolicyRepository; directory: GroupMembership }) {}

  async requiredPackages(realmId: string, deviceId: string, userId: string | undefined): Promise<PlannedPackage[]> {
    const device = await this.deps.devices.get(realmId, deviceId);
    if (device === undefined) return [];
    const { policy } = await effectivePolicyFor(this.deps, device, userId);
    const manifest = await this.deps.delivery.manifest(realmId, await audienceOf(this.deps.directory, device, userId), policy);
    const deliveries = manifest.packages.filter((p): p is ManifestPackage => p.intent !== "uninstall");
    const byId = new Map(deliveries.map((p) => [normalizePackageId(p.id), p] as const));
    const needed = new Set<string>();
    const visit = (p: ManifestPackage): void => {
      const key = normalizePackageId(p.id);
      if (needed.has(key)) return;
      needed.add(key);
      for (const d of p.dependencies) {
        const dep = byId.get(normalizePackageId(d.id));
        if (dep !== undefined) visit(dep);
      }
    };
    for (const p of deliveries) if (p.intent === "required") visit(p);
    return deliveries
      .filter((p) => needed.has(normalizePackageId(p.id)))
      .map((p) => ({ packageId: p.id, version: p.version, installContext: p.installContext }));
  }

  async undeliverableRequired(realmId: string, deviceId: string, userId: string | undefined): Promise<UndeliverableRequiredPackage[]> {
    const device = await this.deps.devices.get(realmId, deviceId);
    if (device === undefined) return [];
    const { policy } = await effectivePolicyFor(this.deps, device, userId);
    const plan = await this.deps.delivery.plan(realmId, await audienceOf(this.deps.directory, device, userId), policy);
    return [...undeliverableRequired(plan).values()];
  }
}
