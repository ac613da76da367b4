import type { TableClient, TransactionAction } from "@azure/data-tables";
import type { AppServices } from "../app/services.js";
import { conflict } from "../core/errors.js";
import { partitionPrefixFilter } from "../storage/keys.js";
import { isNotFound } from "../storage/rest-error.js";

/** What purgeRealm needs of the services. */
export type RealmPurgeDeps = Pick<AppServices, "tables" | "blobs" | "realms" | "settings">;

const TRANSACTION_MAX = 100;
const REALMS_TABLE = "Realms";

/**
 * Deletes a deleted realm's data in bounded batches: every row whose PartitionKey starts with the realm id in
 * every table of this app (name = RJ_TABLE_PREFIX + a capitalised logical name), every blob named `<realmId>/...`
 * in every container, and last the realm record. At most `budget` deletions per call; call again until `done`.
 * Throws AppError conflict "realm-not-deleted" for a realm that is not deleted (a live realm is never purged).
 */
export async function purgeRealm(services: RealmPurgeDeps, realmId: string, budget: number): Promise<{ deleted: number; done: boolean }> {
  const id = realmId.toLowerCase();
  const realm = await services.realms.getFresh(id);
  if (realm !== undefined && realm.status !== "deleted") throw conflict("Only a deleted realm can be purged", "realm-not-deleted");
  let left = Math.max(0, Math.floor(budget));
  let deleted = 0;

  for (const name of await appTables(services)) {
    if (name === REALMS_TABLE) continue;
    const n = await purgeTable(services.tables.client(name), id, left);
    deleted += n;
    left -= n;
    if (left === 0) return { deleted, done: false };
  }
  const blobs = await purgeBlobs(services, id, left);
  deleted += blobs;
  left -= blobs;
  if (left === 0) return { deleted, done: false };

  // The record goes last: while it exists (deleted), the realm keeps answering as unknown and the purge can resume.
  if (await services.realms.remove(id)) deleted += 1;
  return { deleted, done: true };
}

/** Logical names of this app's tables: full names are the prefix and a capitalised name (so prefix "rj" does not take "rjtestDevices"). */
async function appTables(services: RealmPurgeDeps): Promise<string[]> {
  const prefix = services.settings.RJ_TABLE_PREFIX;
  const names: string[] = [];
  for await (const table of services.tables.service().listTables()) {
    const name = table.name;
    if (name !== undefined && name.startsWith(prefix) && /^[A-Z]/.test(name.slice(prefix.length))) names.push(name.slice(prefix.length));
  }
  return names;
}

/** Deletes up to `limit` of the realm's rows in one table; returns how many. */
async function purgeTable(client: TableClient, realmId: string, limit: number): Promise<number> {
  let deleted = 0;
  while (deleted < limit) {
    const pageSize = Math.min(TRANSACTION_MAX, limit - deleted);
    const rows = client
      .listEntities({ queryOptions: { filter: partitionPrefixFilter(realmId), select: ["PartitionKey", "RowKey"] } })
      .byPage({ maxPageSize: pageSize });
    const page = await rows.next();
    const keys = page.done === true ? [] : page.value.slice(0, pageSize).map((e) => ({ pk: e.partitionKey, rk: e.rowKey }));
    if (keys.length === 0 || keys.every((k) => k.pk === undefined || k.rk === undefined)) break;
    const byPartition = new Map<string, TransactionAction[]>();
    for (const { pk, rk } of keys) {
      if (pk === undefined || rk === undefined) continue;
      const actions = byPartition.get(pk) ?? [];
      actions.push(["delete", { partitionKey: pk, rowKey: rk }]);
      byPartition.set(pk, actions);
    }
    for (const actions of byPartition.values()) {
      try {
        await client.submitTransaction(actions);
      } catch (e) {
        // A row deleted meanwhile fails its whole batch: delete one by one, ignoring the gone ones.
        if (!isNotFound(e)) throw e;
        for (const [, entity] of actions) await deleteIfPresent(client, entity.partitionKey, entity.rowKey);
      }
    }
    deleted += keys.length;
  }
  return deleted;
}

async function deleteIfPresent(client: TableClient, partitionKey: string, rowKey: string): Promise<void> {
  try {
    await client.deleteEntity(partitionKey, rowKey);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

/** Deletes up to `limit` blobs named `<realmId>/...` across the account's containers; returns how many. */
async function purgeBlobs(services: RealmPurgeDeps, realmId: string, limit: number): Promise<number> {
  let deleted = 0;
  for await (const container of services.blobs.listContainers()) {
    const client = services.blobs.getContainerClient(container.name);
    for await (const blob of client.listBlobsFlat({ prefix: `${realmId}/` })) {
      if (deleted >= limit) return deleted;
      await client.deleteBlob(blob.name, { deleteSnapshots: "include" }).catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
      deleted += 1;
    }
  }
  return deleted;
}
