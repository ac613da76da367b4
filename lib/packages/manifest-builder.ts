import { planDelivery, type DeliveryPlan } from "./manifest-plan.js";
import type { ManifestBody, ManifestInput } from "./manifest-types.js";

/** The manifest body of a plan: uninstall entries, then deliveries in install order, then the undeliverable list. */
export function manifestFromPlan(plan: DeliveryPlan): ManifestBody {
  return {
    realm: plan.realmId,
    deviceId: plan.deviceId,
    packages: [...plan.uninstall, ...plan.delivered],
    undeliverable: plan.undeliverable,
  };
}

/** The manifest body for one device (and user) over preloaded data; pure and deterministic, never throws for graph or policy problems. */
export function buildManifest(input: ManifestInput): ManifestBody {
  return manifestFromPlan(planDelivery(input));
}
