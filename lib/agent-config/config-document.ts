import type { Device } from "../devices/device.js";
import type { EffectivePolicy, ReleaseChannel, RequirementMode } from "../policies/policy.js";

/** The signed configuration's body (API.md "GET /config"), before `iat` and `hash` are added. */
// A type alias (not an interface) so it is assignable to the signer's Record<string, unknown>.
export type ConfigDocument = {
  realm: string;
  deviceId: string;
  bitlockerEnabled: boolean;
  securityRequirements: { updates: RequirementMode; encryption: RequirementMode; firewall: RequirementMode; antivirus: RequirementMode };
  makeAdmin: boolean;
  releaseChannel: ReleaseChannel;
  /** Present when the policy enables Delivery Optimization; groupId once the device reported its network. */
  deliveryOptimization?: { downloadMode: 2; groupId?: string };
  reportIntervalSeconds: number;
  noGraph: boolean;
  acceptLegacyHashes: boolean;
  /** Present when the realm names a legacy Active Directory provider (the second-identity step). */
  legacyAuthProvider?: string;
  /** Why bitlockerEnabled is false although the policy enables it (a virtual machine without the VM opt-in). */
  bitlockerSkippedReason?: "virtual-machine";
  /** An admin asked for a sync at this time: the agent reports state and fetches its manifest now, not at its next interval. */
  syncNow?: { requestedAt: string };
};

export interface ConfigInput {
  device: Device;
  policy: EffectivePolicy;
  realmNoGraph: boolean;
  /** The user of this session (from the user token), if any. */
  sessionUserId?: string;
}

/** Whether BitLocker applies to the device: virtual machines only with bitlockerOnVirtualMachines (RjDisableVmDetection in the seeds). */
export function bitlockerApplies(policy: EffectivePolicy, device: Device): boolean {
  return policy.bitlockerEnabled && (device.state?.isVirtualMachine !== true || policy.bitlockerOnVirtualMachines);
}

/**
 * Builds the configuration a device receives. Deterministic for its inputs, so the hash (and the
 * signature) stays the same across polls until something that matters changes. makeAdmin is true only
 * in the primary user's session.
 */
export function buildConfigDocument(input: ConfigInput): ConfigDocument {
  const { device, policy } = input;
  const bitlocker = bitlockerApplies(policy, device);
  const isPrimaryUserSession = input.sessionUserId !== undefined && input.sessionUserId === device.primaryUser;
  return {
    realm: device.realmId,
    deviceId: device.deviceId,
    bitlockerEnabled: bitlocker,
    securityRequirements: { ...policy.securityRequirements },
    makeAdmin: policy.makeAdmin && isPrimaryUserSession,
    releaseChannel: policy.releaseChannel,
    ...(policy.deliveryOptimization.enabled
      ? { deliveryOptimization: { downloadMode: 2 as const, ...(device.doGroupId ? { groupId: device.doGroupId } : {}) } }
      : {}),
    reportIntervalSeconds: policy.reportIntervalSeconds,
    // The realm's directory mode alone decides where BitLocker keys go; no policy can flip it.
    noGraph: input.realmNoGraph,
    acceptLegacyHashes: policy.acceptLegacyHashes,
    ...(policy.legacyAuthProvider !== null ? { legacyAuthProvider: policy.legacyAuthProvider } : {}),
    ...(policy.bitlockerEnabled && !bitlocker ? { bitlockerSkippedReason: "virtual-machine" as const } : {}),
    ...(device.syncRequestedAt ? { syncNow: { requestedAt: device.syncRequestedAt } } : {}),
  };
}
