import type { TableClient } from "@azure/data-tables";
import { z } from "zod";
import { AppError } from "../core/errors.js";
import { keyPart, realmKey } from "../storage/keys.js";
import { isNotFound } from "../storage/rest-error.js";
import type { Device } from "./device.js";
import type { DeviceRepository } from "./device-repository.js";

/** What remains of a retired device: enough to refuse it and to show who retired it. */
export interface RetiredDevice {
  realmId: string;
  deviceId: string;
  retiredAt: string;
  /** Object id of the admin or helpdesk user who retired it. */
  retiredBy: string;
  enrolledAt: string;
  primaryUser?: string;
}

const entitySchema = z.object({
  retiredAt: z.string(),
  retiredBy: z.string(),
  enrolledAt: z.string(),
  primaryUser: z.string().optional(),
});

/** The refusal every agent call of a retired device gets. */
export const deviceRetired = (): AppError =>
  new AppError("forbidden", "This device was retired by an administrator of its realm; it receives no configuration or packages", { code: "device-retired" });

/**
 * Retired devices (table RetiredDevices, PartitionKey realm id, RowKey device id). Retiring moves the device
 * out of the registry, so it leaves every list, and keeps this tombstone; the audit log keeps its history.
 */
export class DeviceRetirements {
  constructor(
    private readonly table: () => Promise<TableClient>,
    private readonly pins: () => Promise<TableClient>,
  ) {}

  async get(realmId: string, deviceId: string): Promise<RetiredDevice | undefined> {
    const client = await this.table();
    try {
      const e = entitySchema.parse(await client.getEntity(realmKey(realmId), keyPart(deviceId)));
      return { realmId, deviceId, ...e, ...(e.primaryUser === undefined ? {} : { primaryUser: e.primaryUser }) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * Retires an enrolled device: tombstone first (so a crash between the steps leaves it refused, and a retry
   * finishes the job), then its certificate pin and its registry record. Idempotent; throws not-found for a
   * device that is neither enrolled nor retired.
   */
  async retire(devices: DeviceRepository, device: Device | undefined, realmId: string, deviceId: string, by: string, at: string): Promise<RetiredDevice> {
    const existing = await this.get(realmId, deviceId);
    if (device === undefined && existing === undefined) throw new AppError("not-found", "No such device");
    const record: RetiredDevice = existing ?? {
      realmId,
      deviceId,
      retiredAt: at,
      retiredBy: by,
      enrolledAt: device?.enrolledAt ?? at,
      ...(device?.primaryUser === undefined ? {} : { primaryUser: device.primaryUser }),
    };
    if (existing === undefined) {
      const { realmId: _r, deviceId: _d, ...fields } = record;
      await (await this.table()).upsertEntity({ partitionKey: realmKey(realmId), rowKey: keyPart(deviceId), ...fields }, "Replace");
    }
    await this.clearPin(realmId, deviceId);
    await devices.remove(realmId, deviceId);
    return record;
  }

  // Same keys as TableDevicePinStore (PartitionKey realm id, RowKey device id).
  private async clearPin(realmId: string, deviceId: string): Promise<void> {
    try {
      await (await this.pins()).deleteEntity(realmId, deviceId);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
