import type { TableClient, TableEntity } from "@azure/data-tables";
import { AppError } from "../core/errors.js";
import { isConflict, isNotFound, isPreconditionFailed } from "./rest-error.js";

const SYSTEM_FIELDS = new Set(["partitionKey", "rowKey", "etag", "timestamp", "odata.etag", "odata.metadata"]);

/** Drops the SDK's system properties (keys, etag, timestamp) from an entity read back from a table. */
export function withoutSystemFields<T extends object>(entity: object): T {
  return Object.fromEntries(Object.entries(entity).filter(([k]) => !SYSTEM_FIELDS.has(k))) as T;
}

/**
 * Read-modify-write of one entity with ETag concurrency. `mutate` gets the current entity (undefined
 * when absent) and returns the next one, or undefined to leave it as it is. Retried on 412/409 up to
 * `maxAttempts`; then throws AppError conflict. Returns what is stored afterwards.
 */
export async function updateWithRetry<T extends object>(
  client: TableClient,
  partitionKey: string,
  rowKey: string,
  mutate: (current: T | undefined) => T | undefined,
  maxAttempts = 8,
): Promise<T | undefined> {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let current: T | undefined;
    let etag: string | undefined;
    try {
      const read = await client.getEntity<T>(partitionKey, rowKey);
      etag = read.etag;
      current = withoutSystemFields<T>(read);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const next = mutate(current);
    if (next === undefined) return current;
    const entity = { ...withoutSystemFields<T>(next), partitionKey, rowKey } as TableEntity<T>;
    try {
      if (etag === undefined) await client.createEntity(entity);
      else await client.updateEntity(entity, "Replace", { etag });
      return next;
    } catch (e) {
      if (!isPreconditionFailed(e) && !isConflict(e)) throw e;
      await new Promise((r) => setTimeout(r, Math.min(200, 5 * 2 ** attempt) * Math.random()));
    }
  }
  throw new AppError("conflict", "The record changed too often while updating it; try again", { code: "concurrent-update" });
}
