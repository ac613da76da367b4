import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../../lib/core/errors.js";
import { BranchCachePassphraseStore } from "../../../lib/realms/branchcache-passphrase-store.js";
import { realmKey } from "../../../lib/storage/keys.js";
import { realmStorage, type RealmStorage } from "./storage-fixture.js";

let s: RealmStorage;
beforeAll(async () => {
  s = await realmStorage();
});
afterAll(async () => s.remove());

async function rawRows(realmId: string): Promise<Record<string, unknown>[]> {
  const client = await s.tables.table("RealmSecrets");
  const rows: Record<string, unknown>[] = [];
  for await (const e of client.listEntities({ queryOptions: { filter: `PartitionKey eq '${realmKey(realmId, "branchcache")}'` } })) rows.push(e);
  return rows;
}

describe("the BranchCache passphrase store", () => {
  it("when a passphrase is set, then get returns it and nothing stored contains it in clear", async () => {
    const realm = randomUUID();
    const passphrase = "correct horse battery staple 42";
    const status = await s.branchCache.set(realm, passphrase);
    expect(status).toEqual({ set: true, changedAt: "2025-03-01T10:00:00.000Z" });
    expect(await s.branchCache.get(realm)).toBe(passphrase);
    const stored = JSON.stringify(await rawRows(realm));
    expect(stored).not.toContain(passphrase);
    expect(stored).not.toContain(Buffer.from(passphrase).toString("base64"));
    expect(stored).not.toContain(Buffer.from(passphrase).toString("base64url"));
  });

  it("when another instance reads it (no cached key), then it unwraps to the same passphrase", async () => {
    const realm = randomUUID();
    await s.branchCache.set(realm, "a passphrase of some length");
    const other = new BranchCachePassphraseStore({ table: () => s.tables.table("RealmSecrets"), wrapper: s.keyWrapper, clock: s.clock });
    expect(await other.get(realm)).toBe("a passphrase of some length");
  });

  it("when the passphrase is longer than a key wrap holds, then it is still stored and read back", async () => {
    const realm = randomUUID();
    const long = "ß".repeat(256);
    await s.branchCache.set(realm, long);
    expect(await s.branchCache.get(realm)).toBe(long);
  });

  it("when a realm has none, then get is undefined and status says unset", async () => {
    const realm = randomUUID();
    expect(await s.branchCache.get(realm)).toBeUndefined();
    expect(await s.branchCache.status(realm)).toEqual({ set: false });
  });

  it("when the passphrase changes, then listeners hear it once; setting the same one again tells nobody", async () => {
    const realm = randomUUID();
    const heard: string[] = [];
    const off = s.branchCache.onPassphraseChanged(({ realmId }) => {
      heard.push(realmId);
    });
    try {
      await s.branchCache.set(realm, "first passphrase here");
      s.clock.advance(60_000);
      const again = await s.branchCache.set(realm, "first passphrase here");
      expect(again.changedAt).toBe("2025-03-01T10:00:00.000Z");
      await s.branchCache.set(realm, "second passphrase here");
      expect(heard).toEqual([realm, realm]);
    } finally {
      off();
      s.clock.set(Date.parse("2025-03-01T10:00:00Z"));
    }
  });

  it("when a listener throws, then the passphrase is stored anyway and the failure is reported", async () => {
    const realm = randomUUID();
    const failures: unknown[] = [];
    const off = s.branchCache.onPassphraseChanged(() => {
      throw new Error("re-keying failed");
    });
    try {
      await s.branchCache.set(realm, "stored despite listener", (e) => failures.push(e));
    } finally {
      off();
    }
    expect(failures).toHaveLength(1);
    expect(await s.branchCache.get(realm)).toBe("stored despite listener");
  });

  it("when ensure runs twice, then one random passphrase is made and kept, and no listener hears it", async () => {
    const realm = randomUUID();
    let heard = 0;
    const off = s.branchCache.onPassphraseChanged(() => {
      heard += 1;
    });
    try {
      await s.branchCache.ensure(realm);
      const first = await s.branchCache.get(realm);
      await s.branchCache.ensure(realm);
      expect(first).toMatch(/^[0-9a-f]{64}$/);
      expect(await s.branchCache.get(realm)).toBe(first);
      expect(heard).toBe(0);
    } finally {
      off();
    }
  });

  it("when a stored row is copied into another realm's partition, then it does not decrypt there", async () => {
    const a = randomUUID();
    const b = randomUUID();
    await s.branchCache.set(a, "realm a passphrase!");
    const [row] = await rawRows(a);
    const client = await s.tables.table("RealmSecrets");
    const { partitionKey: _pk, rowKey, etag: _etag, timestamp: _ts, ...fields } = row as Record<string, unknown> & { rowKey: string };
    await client.upsertEntity({ partitionKey: realmKey(b, "branchcache"), rowKey, ...fields }, "Replace");
    await expect(s.branchCache.get(b)).rejects.toThrow();
  });

  it.each([["too short", "x".repeat(15)], ["too long", "x".repeat(257)], ["with a control character", "sixteen chars\u0007abc"]])(
    "when the passphrase is %s, then a validation error and nothing is stored",
    async (_what, passphrase) => {
      const realm = randomUUID();
      const error: unknown = await s.branchCache.set(realm, passphrase).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).status).toBe(400);
      expect(await s.branchCache.status(realm)).toEqual({ set: false });
    },
  );
});
