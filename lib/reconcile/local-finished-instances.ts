import { odata, type TableClient } from "@azure/data-tables";

const TERMINAL = ["Completed", "Failed", "Terminated"];

/**
 * Ids of finished instances of the local durable runtime whose record was last written before
 * `before`, at most `limit`. Reads the meta rows of its TableDurableStore (RowKey "meta", property
 * runtimeStatus); the row's Timestamp is its last write, which for a finished instance is its end.
 */
export async function listFinishedBefore(table: TableClient, before: Date, limit: number): Promise<string[]> {
  const statuses = TERMINAL.map((s) => `runtimeStatus eq '${s}'`).join(" or ");
  const filter = `RowKey eq 'meta' and (${statuses}) and ${odata`Timestamp lt ${before}`}`;
  const ids: string[] = [];
  if (limit <= 0) return ids;
  for await (const page of table.listEntities<{ instanceId: string }>({ queryOptions: { filter, select: ["instanceId"] } }).byPage({ maxPageSize: Math.min(limit, 1000) })) {
    for (const row of page) {
      ids.push(row.instanceId);
      if (ids.length >= limit) return ids;
    }
  }
  return ids;
}
