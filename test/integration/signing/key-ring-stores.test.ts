import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { FileKeyRingStore } from "../../../lib/signing/file-key-ring-store.js";
import { InMemoryKeyRingStore } from "../../../lib/signing/in-memory-key-ring-store.js";
import type { KeyRingStore } from "../../../lib/signing/key-ring-store.js";
import { TableKeyRingStore } from "../../../lib/signing/table-key-ring-store.js";

const REALM = "cccccccc-0000-4000-8000-00000000000c";
const OTHER = "dddddddd-0000-4000-8000-00000000000d";

let dir = "";
let table: TableClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rj-keyring-"));
  table = TableClient.fromConnectionString(inject("storageConnectionString"), `keyring${randomBytes(4).toString("hex")}`, {
    allowInsecureConnection: true,
  });
  await table.createTable();
});
afterAll(async () => {
  await table.deleteTable();
  await rm(dir, { recursive: true, force: true });
});

const implementations: Array<[string, () => KeyRingStore]> = [
  ["in memory", () => new InMemoryKeyRingStore()],
  ["files", () => new FileKeyRingStore(join(dir, randomBytes(4).toString("hex")))],
  ["Table Storage (Azurite)", () => new TableKeyRingStore(table)],
];

describe.each(implementations)("KeyRingStore contract: %s", (_name, make) => {
  const realm = () => `${REALM.slice(0, -8)}${randomBytes(4).toString("hex")}`;

  it("when a realm has no ring, then get returns undefined", async () => {
    expect(await make().get(realm())).toBeUndefined();
  });

  it("when a ring is created and read back, then the keys round-trip with an ETag", async () => {
    const store = make();
    const id = realm();
    const keys = [
      { version: "v1", createdAt: 1000, retiredAt: 5000 },
      { version: "v2", createdAt: 5000 },
    ];
    const etag = await store.put(id, keys, undefined);
    expect(await store.get(id)).toEqual({ keys, etag });
    expect(await store.get(OTHER)).toBeUndefined();
  });

  it("when a ring is created twice, then the second create fails with conflict", async () => {
    const store = make();
    const id = realm();
    await store.put(id, [{ version: "v1", createdAt: 1 }], undefined);
    await expect(store.put(id, [{ version: "v9", createdAt: 2 }], undefined)).rejects.toMatchObject({ kind: "conflict", code: "key-ring-changed" });
  });

  it("when a ring is written with a stale ETag, then it fails with conflict and keeps the newer ring", async () => {
    const store = make();
    const id = realm();
    const first = await store.put(id, [{ version: "v1", createdAt: 1 }], undefined);
    const second = await store.put(id, [{ version: "v1", createdAt: 1, retiredAt: 2 }, { version: "v2", createdAt: 2 }], first);
    await expect(store.put(id, [{ version: "v3", createdAt: 3 }], first)).rejects.toMatchObject({ kind: "conflict" });
    expect((await store.get(id))?.etag).toBe(second);
    expect((await store.get(id))?.keys.map((k) => k.version)).toEqual(["v1", "v2"]);
  });
});
