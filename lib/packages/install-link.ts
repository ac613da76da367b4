import { AppError, forbidden, notFound } from "../core/errors.js";
import { DELIVERING_INTENTS } from "./assignment-schema.js";
import type { DeliveryPlan } from "./manifest-plan.js";
import type { ManifestPackage } from "./manifest-types.js";
import { normalizePackageId } from "./package-id.js";

/** The answer of POST /api/agent/v1/packages/{id}/install: the entry and its dependency closure in install order. */
export type InstallLinkResult = {
  realm: string;
  deviceId: string;
  package: ManifestPackage;
  /** The package's dependencies (transitively), dependencies first; the package itself not included. */
  dependencies: ManifestPackage[];
};

/**
 * Decides an install link over the device's plan. Throws AppError not-found when the id is not in the realm's
 * catalogue, forbidden "not-assigned" when no delivering assignment wins for this user or device (none, exclude,
 * uninstall, or only needed as a dependency), conflict "undeliverable" (extensions reason, detail) when it is
 * assigned but cannot be delivered.
 */
export function resolveInstallLink(plan: DeliveryPlan, packageId: string, existsInRealm: boolean): InstallLinkResult {
  if (!existsInRealm) throw notFound(`No package "${packageId}" in this realm`);
  const key = normalizePackageId(packageId);
  const winner = plan.effective.get(key)?.winner.assignment;
  if (winner === undefined || !DELIVERING_INTENTS.has(winner.intent)) {
    throw forbidden(`Package "${packageId}" is not assigned to this user or device`, "not-assigned");
  }
  const byKey = new Map(plan.delivered.map((p) => [normalizePackageId(p.id), p]));
  const entry = byKey.get(key);
  if (entry === undefined) {
    const why = plan.undeliverable.find((u) => normalizePackageId(u.id) === key);
    throw new AppError("conflict", `Package "${packageId}" cannot be delivered${why ? `: ${why.detail}` : ""}`, {
      code: "undeliverable",
      extensions: { reason: why?.reason ?? "missing" },
    });
  }
  const closure = new Set<string>();
  const stack = entry.dependencies.map((d) => normalizePackageId(d.id));
  while (stack.length > 0) {
    const k = stack.pop() ?? "";
    if (closure.has(k)) continue;
    closure.add(k);
    for (const d of byKey.get(k)?.dependencies ?? []) stack.push(normalizePackageId(d.id));
  }
  return {
    realm: plan.realmId,
    deviceId: plan.deviceId,
    package: entry,
    dependencies: plan.delivered.filter((p) => closure.has(normalizePackageId(p.id))),
  };
}
