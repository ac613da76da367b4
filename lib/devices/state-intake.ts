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
 * Takes a state report: a sequence at or below the stored one is acknowledged and ignored; a newer one
 * becomes the device's state (ETag-guarded, so concurrent reports never lose the newest) and joins its
 * last 20 reports. Returns undefined when the device never enrolled.
 */
export async function acceptStateReport(
  deps: { devices: DeviceRepository; clock: Clock; telemetry: Telemetry },
  realmId: string,
  deviceId: string,
  report: StateReport,
): Promise<StateIntakeResult | undefined> {
  const now = new Date(deps.clock.now()).toISOString();
  let accepted = false;
  let existed = false;
  const device = await deps.devices.update(realmId, deviceId, (current) => {
    accepted = false;
    existed = current !== undefined;
    if (current === undefined) return undefined;
    if (report.sequence <= current.lastSequence) return undefined;
    accepted = true;
    return {
      ...current,
      lastSequence: report.sequence,
      lastSeenAt: now,
      stale: false,
      state: report,
      doGroupId: deliveryOptimizationGroupId(realmId, report.network.gatewayMac, report.network.fingerprint),
    };
  });
  if (!existed || device === undefined) return undefined;
  // The report row is written after the device row so a report the device row refused is never kept;
  // it is idempotent per sequence, so a retry after a failure here is harmless.
  if (accepted) await deps.devices.addReport(realmId, deviceId, report, now);
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
