import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../../lib/core/errors.js";
import { changeRealmStatus, putRealm } from "../../../lib/realms/realm-lifecycle.js";
import { purgeRealm } from "../../../lib/realms/realm-purge.js";
import { partitionPrefixFilter, realmKey } from "../../../lib/storage/keys.js";
import { realmStorage, type RealmStorage } from "./storage-fixture.js";

let s: RealmStorage;
let container: string;
beforeAll(async () => {
  s = await realmStorage();
  container = `purge${randomUUID().replace(/-/g, "").slice(0, 20)}`;
  await s.blobs.getContainerClient(container).createIfNotExists();
});
afterAll(async () => {
  await s.blobs.getContainerClient(container).deleteIfExists();
  await s.remove();
});

const input = { name: "Realm", deviceTrust: "pinned" as const, noGraph: true };

/** A realm with data in several tables and blobs: 25 devices, policies, a directory and a secret. */
async function populated(): Promise<string> {
  const id = randomUUID();
  await putRealm(s, id, input);
  for (let i = 0; i < 25; i++) {
    const deviceId = randomUUID();
    await s.devices.update(id, deviceId, () => ({ realmId: id, deviceId, enrolledAt: "2025-03-01T10:00:00.000Z", stale: false, lastSequence: 0 }));
  }
  await s.policies.put(id, { kind: "group", id: "same-group" }, { makeAdmin: true }, "2025-03-01T10:00:00.000Z");
  const dir = await s.tables.table("Directory");
  await dir.upsertEntity({ partitionKey: realmKey(id, "user"), rowKey: "u1", displayName: "x" });
  const blobs = s.blobs.getContainerClient(container);
  for (const name of [`${id}/a.bin`, `${id}/b/c.bin`]) await blobs.getBlockBlobClient(name).upload("x", 1);
  return id;
}

async function rowsOf(realmId: string): Promise<number> {
  let n = 0;
  for await (const t of s.tables.service().listTables()) {
    if (t.name === undefined || !t.name.startsWith(s.settings.RJ_TABLE_PREFIX)) continue;
    const client = s.tables.client(t.name.slice(s.settings.RJ_TABLE_PREFIX.length));
    for await (const _ of client.listEntities({ queryOptions: { filter: partitionPrefixFilter(realmId) } })) n += 1;
  }
  return n;
}

async function blobsOf(realmId: string): Promise<string[]> {
  const names: string[] = [];
  for await (const b of s.blobs.getContainerClient(container).listBlobsFlat({ prefix: `${realmId}/` })) names.push(b.name);
  return names;
}

describe("purging a deleted realm", () => {
  it("when purged in small budgets, then each call stays within its budget, everything of the realm goes, and its neighbour keeps all", async () => {
    const gone = await populated();
    const kept = await populated();
    await changeRealmStatus(s, gone, "delete");
    const keptRows = await rowsOf(kept);
    const total = (await rowsOf(gone)) + 2;

    let deleted = 0;
    let calls = 0;
    for (;;) {
      const result = await purgeRealm(s, gone, 7);
      expect(result.deleted).toBeLessThanOrEqual(7);
      deleted += result.deleted;
      calls += 1;
      if (result.done) break;
      expect(calls).toBeLessThan(50);
    }
    expect(deleted).toBe(total);
    expect(await rowsOf(gone)).toBe(0);
    expect(await blobsOf(gone)).toEqual([]);
    expect(await s.realms.get(gone)).toBeUndefined();
    expect(await rowsOf(kept)).toBe(keptRows);
    expect(await blobsOf(kept)).toHaveLength(2);
    expect(await s.realms.get(kept)).toMatchObject({ status: "active" });
  });

  it("when a purge is run again after it finished, then it deletes nothing and is done", async () => {
    const id = await populated();
    await changeRealmStatus(s, id, "delete");
    expect((await purgeRealm(s, id, 10_000)).done).toBe(true);
    expect(await purgeRealm(s, id, 10_000)).toEqual({ deleted: 0, done: true });
  });

  it("when the realm is active or disabled, then the purge is refused and nothing is deleted", async () => {
    const id = await populated();
    const before = await rowsOf(id);
    await expect(purgeRealm(s, id, 100)).rejects.toBeInstanceOf(AppError);
    await changeRealmStatus(s, id, "disable");
    await expect(purgeRealm(s, id, 100)).rejects.toBeInstanceOf(AppError);
    expect(await rowsOf(id)).toBe(before);
  });
});
