import type { BlobServiceClient } from "@azure/storage-blob";
import type { TableServiceClient } from "@azure/data-tables";

export interface StorageHealth {
  table: boolean;
  blob: boolean;
}

async function within<T>(ms: number, run: (signal: AbortSignal) => Promise<T>): Promise<boolean> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    await run(controller.signal);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Asks Table and Blob storage for a trivial answer each, bounded by `timeoutMs`; never throws. */
export async function probeStorage(tables: TableServiceClient, blobs: BlobServiceClient, timeoutMs: number): Promise<StorageHealth> {
  const [table, blob] = await Promise.all([
    within(timeoutMs, async (abortSignal) => {
      const pages = tables.listTables({ abortSignal }).byPage({ maxPageSize: 1 });
      await pages.next();
    }),
    within(timeoutMs, async (abortSignal) => {
      const pages = blobs.listContainers({ abortSignal }).byPage({ maxPageSize: 1 });
      await pages.next();
    }),
  ]);
  return { table, blob };
}
