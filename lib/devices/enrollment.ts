import type { Clock } from "../core/clock.js";
import type { Telemetry } from "../telemetry/telemetry.js";
import type { Device } from "./device.js";
import type { DeviceRepository } from "./device-repository.js";

export interface EnrollInput {
  realmId: string;
  deviceId: string;
  thumbprint: string;
  /** The signed-in user (Entra object id), when the agent sent a user token. */
  userId?: string;
}

export interface EnrollResult {
  device: Device;
  created: boolean;
  primaryUserSet: boolean;
}

/**
 * Registers a device at first contact and makes the signed-in user its primary user when it has none.
 * Idempotent: enrolling again changes nothing but the certificate thumbprint (a renewed certificate).
 */
export async function enrollDevice(deps: { devices: DeviceRepository; clock: Clock; telemetry: Telemetry }, input: EnrollInput): Promise<EnrollResult> {
  let created = false;
  let primaryUserSet = false;
  const now = new Date(deps.clock.now()).toISOString();
  const device = await deps.devices.update(input.realmId, input.deviceId, (current) => {
    created = current === undefined;
    const base: Device = current ?? { realmId: input.realmId, deviceId: input.deviceId, enrolledAt: now, stale: false, lastSequence: -1 };
    primaryUserSet = base.primaryUser === undefined && input.userId !== undefined;
    if (!created && !primaryUserSet && base.thumbprint === input.thumbprint) return undefined;
    return { ...base, thumbprint: input.thumbprint, ...(primaryUserSet && input.userId !== undefined ? { primaryUser: input.userId } : {}) };
  });
  if (device === undefined) throw new Error("enrollment left no device record");
  if (created || primaryUserSet) {
    deps.telemetry.event("DeviceEnrolled", { realmId: input.realmId, deviceId: input.deviceId, primaryUserSet, trust: created ? "new" : "existing" });
  }
  return { device, created, primaryUserSet };
}
