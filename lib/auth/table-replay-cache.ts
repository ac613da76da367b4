import { createHash } from "node:crypto";
import { odata, type TableClient } from "@azure/data-tables";
import type { ReplayCache } from "./replay-cache.js";
import { statusOf } from "./table-errors.js";

interface ReplayEntity {
  partitionKey: string;
  rowKey: string;
  expiresAt: Date;
}

/** Replay cache in Table Storage, shared by every process: PartitionKey realm id, RowKey SHA-256 of the jti (jti may hold characters keys forbid). The table must exist. */
export class TableReplayCache implements ReplayCache {
  constructor(private readonly table: TableClient) {}

  async remember(realmId: string, jti: string, expiresAtMs: number): Promise<"new" | "replay"> {
    const entity: ReplayEntity = { partitionKey: realmId, rowKey: jtiKey(jti), expiresAt: new Date(expiresAtMs) };
    try {
      await this.table.createEntity(entity);
      return "new";
    } catch (e) {
      if (statusOf(e) === 409) return "replay";
      throw e;
    }
  }

  async purgeExpired(nowMs: number, budget: number): Promise<number> {
    let removed = 0;
    const expired = this.table.listEntities<ReplayEntity>({
      queryOptions: { filter: odata`expiresAt lt ${new Date(nowMs)}`, select: ["PartitionKey", "RowKey"] },
    });
    for await (const e of expired) {
      if (removed >= budget) break;
      try {
        await this.table.deleteEntity(e.partitionKey, e.rowKey);
        removed++;
      } catch (err) {
        if (statusOf(err) !== 404) throw err; // another purger got there first
      }
    }
    return removed;
  }
}

const jtiKey = (jti: string): string => createHash("sha256").update(jti, "utf8").digest("hex");
