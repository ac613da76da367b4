import type { Clock } from "../core/clock.js";
import type { Telemetry } from "../telemetry/telemetry.js";
import { deliveryOptimizationGroupId } from "./delivery-optimization.js";
import type { Device, StateReport } from "./device.js";
import type { DeviceRepository } from "./device-repository.js";

export interface StateIntakeResult {
  accepted: boolean;
  device: Device;
}

/**
 * Takes a state report: a sequence at or below the stored one is acknowledged and ignored (one device read); a newer
 * one becomes the device's state and joins its last 20 reports in one conditional write (ETag-guarded, so concurrent
 * reports never lose the newest). Returns undefined when the device never enrolled.
 */
export async function acceptStateReport(
  deps: { devices: DeviceRepository; clock: Clock; telemetry: Telemetry },
  realmId: string,
  deviceId: string,
  report: StateReport,
): Promise<StateIntakeResult | undefined> {
  const now = new Date(deps.clock.now()).toISOString();
  const result = await deps.devices.recordReport(realmId, deviceId, report, now, (current) => {
    if (report.sequence <= current.lastSequence) return undefined;
    return {
      ...current,
      lastSequence: report.sequence,
      lastSeenAt: now,
      stale: false,
      doGroupId: deliveryOptimizationGroupId(realmId, report.network.gatewayMac, report.network.fingerprint),
    };
  });
  if (result === undefined) return undefined;
  const { accepted, device } = result;
  deps.telemetry.event("StateReported", {
    realmId,
    deviceId,
    sequence: report.sequence,
    accepted,
    agentVersion: report.agentVersion,
    channel: report.channel,
  });
  if (accepted) {
    for (const item of report.installed.filter((i) => i.status === "failed")) {
      deps.telemetry.event("PackageInstallReported", { realmId, deviceId, packageId: item.id, version: item.version, status: item.status });
    }
  }
  return { accepted, device };
}
