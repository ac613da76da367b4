import type { TableClient } from "@azure/data-tables";
import { keyPart } from "../storage/keys.js";
import { isNotFound } from "../storage/rest-error.js";

/** Where one task left off; an opaque string the task defines. */
export interface TaskCursor {
  /** The saved position; undefined when the task finished its round (or never ran). */
  get(): Promise<string | undefined>;
  /** Saves the position; undefined clears it (the next pass starts from the beginning). */
  set(position: string | undefined): Promise<void>;
}

interface CursorEntity {
  position: string;
}

const PARTITION = "cursor";

/** The cursor of `task` in the Reconcile table; a realm-scoped pass keeps its own, apart from the global one. */
export function tableCursor(table: TableClient, task: string, realmId?: string): TaskCursor {
  const rowKey = realmId === undefined ? keyPart(task) : `${keyPart(task)}|${keyPart(realmId)}`;
  return {
    async get() {
      try {
        return (await table.getEntity<CursorEntity>(PARTITION, rowKey)).position;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    async set(position) {
      if (position !== undefined) {
        await table.upsertEntity<CursorEntity>({ partitionKey: PARTITION, rowKey, position }, "Replace");
        return;
      }
      try {
        await table.deleteEntity(PARTITION, rowKey);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
  };
}
