import { bitlockerApplies } from "../agent-config/config-document.js";
import { effectivePolicyFor } from "../agent-config/effective-policy.js";
import type { AppServices } from "../app/services.js";
import type { Device } from "../devices/device.js";
import type { RequirementMode } from "../policies/policy.js";
import type { PlannedPackage, UndeliverableRequiredPackage } from "./required-packages.js";
import { CHECK_NAMES, type CheckName } from "./steps.js";

type PlanDeps = Pick<AppServices, "policies" | "directory" | "requiredPackages">;

/** What the system phase does, fixed when the run starts. */
export interface SystemPlan {
  checks: { name: CheckName; mode: RequirementMode }[];
  systemPackages: PlannedPackage[];
  /** Required packages the device cannot be given: the run fails with required-undeliverable rather than succeed without them. */
  undeliverable?: UndeliverableRequiredPackage[];
}

/** What the user phase does, decided once the user has confirmed. */
export interface UserPlan {
  makeAdmin: boolean;
  legacyAuthProvider: string | null;
  userPackages: PlannedPackage[];
  /** Required packages the device and the confirmed user cannot be given. */
  undeliverable?: UndeliverableRequiredPackage[];
}

export type BitlockerDecision = { applies: true } | { applies: false; reason: "disabled" | "virtual-machine" | "tpm-not-ready" };

/** The system phase of the device's run: the four checks in API.md's order with their modes, and the required system packages in install order. */
export async function systemPlan(deps: PlanDeps, device: Device): Promise<SystemPlan> {
  const { policy } = await effectivePolicyFor(deps, device, undefined);
  const packages = await deps.requiredPackages.requiredPackages(device.realmId, device.deviceId, device.primaryUser);
  const undeliverable = (await deps.requiredPackages.undeliverableRequired?.(device.realmId, device.deviceId, device.primaryUser)) ?? [];
  return {
    checks: CHECK_NAMES.map((name) => ({ name, mode: policy.securityRequirements[name] })),
    systemPackages: packages.filter((p) => p.installContext === "system"),
    ...(undeliverable.length > 0 ? { undeliverable } : {}),
  };
}

/** The user phase for the confirmed user: makeAdmin (primary user only), the second identity's provider, the user's required packages. */
export async function userPlan(deps: PlanDeps, device: Device, userId: string): Promise<UserPlan> {
  const { policy } = await effectivePolicyFor(deps, device, userId);
  const packages = await deps.requiredPackages.requiredPackages(device.realmId, device.deviceId, userId);
  const undeliverable = (await deps.requiredPackages.undeliverableRequired?.(device.realmId, device.deviceId, userId)) ?? [];
  return {
    makeAdmin: policy.makeAdmin && device.primaryUser === userId,
    legacyAuthProvider: policy.legacyAuthProvider,
    userPackages: packages.filter((p) => p.installContext === "user"),
    ...(undeliverable.length > 0 ? { undeliverable } : {}),
  };
}

/** Whether the bitlocker step runs, from the policy and the device's latest state report (a device that has not reported a ready TPM is skipped). */
export async function bitlockerDecision(deps: PlanDeps, device: Device): Promise<BitlockerDecision> {
  const { policy } = await effectivePolicyFor(deps, device, undefined);
  if (!policy.bitlockerEnabled) return { applies: false, reason: "disabled" };
  if (!bitlockerApplies(policy, device)) return { applies: false, reason: "virtual-machine" };
  if (device.state?.tpm.ready !== true) return { applies: false, reason: "tpm-not-ready" };
  return { applies: true };
}
