import type { TableClient } from "@azure/data-tables";
import { systemClock, type Clock } from "../core/clock.js";
import type { DevicePinStore } from "./device-trust.js";
import { statusOf } from "./table-errors.js";

interface PinEntity {
  partitionKey: string;
  rowKey: string;
  thumbprint: string;
  pinnedAt: Date;
}

/** Device pins in Table Storage: PartitionKey realm id, RowKey device id; createEntity makes the first writer win. The table must exist. */
export class TableDevicePinStore implements DevicePinStore {
  constructor(
    private readonly table: TableClient,
    private readonly clock: Clock = systemClock,
  ) {}

  async getPin(realmId: string, deviceId: string): Promise<string | undefined> {
    try {
      const e = await this.table.getEntity<PinEntity>(realmId, deviceId);
      return typeof e.thumbprint === "string" ? e.thumbprint : undefined;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  async pinIfAbsent(realmId: string, deviceId: string, thumbprint: string): Promise<"pinned" | "exists"> {
    const entity: PinEntity = { partitionKey: realmId, rowKey: deviceId, thumbprint, pinnedAt: new Date(this.clock.now()) };
    try {
      await this.table.createEntity(entity);
      return "pinned";
    } catch (err) {
      if (statusOf(err) === 409) return "exists";
      throw err;
    }
  }

  async clearPin(realmId: string, deviceId: string): Promise<boolean> {
    try {
      await this.table.deleteEntity(realmId, deviceId);
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
  }
}
