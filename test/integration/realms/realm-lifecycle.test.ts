import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeRealmStatus, putRealm, REALM_TABLES } from "../../../lib/realms/realm-lifecycle.js";
import { realmCounts } from "../../../lib/realms/realm-view.js";
import { RealmRepository } from "../../../lib/realms/realm-repository.js";
import type { Realm } from "../../../lib/realms/realm.js";
import { LocalSigningKeySource, RealmKeyRing, TableKeyRingStore } from "../../../lib/signing/index.js";
import { realmStorage, type RealmStorage } from "./storage-fixture.js";
import { rejectionOf as failure } from "../../support/app-error.js";

let s: RealmStorage;
beforeAll(async () => {
  s = await realmStorage();
});
afterAll(async () => s.remove());

const input = { name: "Northwind", deviceTrust: "pinned" as const, noGraph: true };

describe("creating a realm", () => {
  it("when a realm is put, then its record, signing key, wrapped passphrase, realm policy and tables exist", async () => {
    const id = randomUUID();
    const { realm, created } = await putRealm(s, id.toUpperCase(), input);
    expect(created).toBe(true);
    expect(realm).toMatchObject({ id, name: "Northwind", status: "active", deviceTrust: "pinned", noGraph: true, createdAt: "2025-03-01T10:00:00.000Z" });
    expect(await s.realms.get(id)).toEqual(realm);
    expect((await s.keyRing.jwks(id)).keys).toHaveLength(1);
    expect(await s.branchCache.status(id)).toMatchObject({ set: true });
    expect((await s.policies.get(id, { kind: "realm" }))?.document).toEqual({});
    const names: string[] = [];
    for await (const t of s.tables.service().listTables()) if (t.name !== undefined) names.push(t.name);
    for (const table of REALM_TABLES) expect(names).toContain(s.tables.tableName(table));
  });

  it("when the same realm is put again, then nothing is created twice and the record is updated in place", async () => {
    const id = randomUUID();
    await putRealm(s, id, input);
    const passphrase = await s.branchCache.get(id);
    const kids = (await s.keyRing.jwks(id)).keys.map((k) => k.kid);
    await s.policies.put(id, { kind: "realm" }, { makeAdmin: true }, "2025-03-01T10:00:00.000Z");
    await changeRealmStatus(s, id, "disable");
    s.clock.advance(3_600_000);
    const { realm, created } = await putRealm(s, id, { name: "Northwind Traders", deviceTrust: "pinned", noGraph: false });
    expect(created).toBe(false);
    expect(realm).toMatchObject({ name: "Northwind Traders", noGraph: false, status: "disabled", createdAt: "2025-03-01T10:00:00.000Z" });
    expect((await s.keyRing.jwks(id)).keys.map((k) => k.kid)).toEqual(kids);
    expect(await s.branchCache.get(id)).toBe(passphrase);
    expect((await s.policies.get(id, { kind: "realm" }))?.document).toEqual({ makeAdmin: true });
  });

  it("when a device-ca realm switches to pinned trust, then its CA bundle is dropped", async () => {
    const id = randomUUID();
    await s.realms.put({ id, name: "N", status: "active", deviceTrust: "device-ca", deviceCaPem: "PEM", noGraph: true, createdAt: "2025-01-01T00:00:00.000Z" });
    const { realm } = await putRealm(s, id, input);
    expect(realm.deviceCaPem).toBeUndefined();
    expect(realm.createdAt).toBe("2025-01-01T00:00:00.000Z");
  });
});

describe("realm status", () => {
  it("when a realm is disabled, enabled and deleted, then each step shows and repeating a step changes nothing", async () => {
    const id = randomUUID();
    await putRealm(s, id, input);
    expect((await changeRealmStatus(s, id, "disable")).status).toBe("disabled");
    expect((await changeRealmStatus(s, id, "disable")).status).toBe("disabled");
    expect((await changeRealmStatus(s, id, "enable")).status).toBe("active");
    const deleted = await changeRealmStatus(s, id, "delete");
    expect(deleted).toMatchObject({ status: "deleted", deletedAt: new Date(s.clock.now()).toISOString() });
    s.clock.advance(1000);
    expect((await changeRealmStatus(s, id, "delete")).deletedAt).toBe(deleted.deletedAt);
  });

  it("when a deleted realm is enabled, disabled or put, then it answers as unknown or conflict", async () => {
    const id = randomUUID();
    await putRealm(s, id, input);
    await changeRealmStatus(s, id, "delete");
    expect((await failure(changeRealmStatus(s, id, "enable"))).status).toBe(404);
    expect((await failure(changeRealmStatus(s, id, "disable"))).status).toBe(404);
    const put = await failure(putRealm(s, id, input));
    expect([put.status, put.code]).toEqual([409, "realm-deleted"]);
  });

  it("when the realm is unknown, then 404", async () => {
    expect((await failure(changeRealmStatus(s, randomUUID(), "disable"))).status).toBe(404);
  });
});

describe("a failed realm creation", () => {
  class RefusingRealms extends RealmRepository {
    override update(_tenantId: string, _mutate: (current: Realm | undefined) => Realm | undefined): Promise<Realm | undefined> {
      return Promise.reject(new Error("the realm record could not be written"));
    }
  }

  it("when the last step (the realm record) fails, then no key ring, passphrase or policy row of the realm is left", async () => {
    const id = randomUUID();
    const keyRing = new RealmKeyRing({
      keys: new LocalSigningKeySource({ dir: s.settings.RJ_DATA_DIR, modulusLength: 2048 }),
      store: new TableKeyRingStore(await s.tables.table("KeyRings")),
      clock: s.clock,
      overlapMs: 86_400_000,
    });
    const deps = { ...s, keyRing, realms: new RefusingRealms(() => s.tables.table("Realms")) };
    await expect(putRealm(deps, id, input)).rejects.toThrow("could not be written");
    expect(await s.realms.get(id)).toBeUndefined();
    expect((await keyRing.jwks(id)).keys).toEqual([]);
    expect(await s.branchCache.status(id)).toMatchObject({ set: false });
    expect(await s.policies.get(id, { kind: "realm" })).toBeUndefined();

    // A retry that succeeds creates everything afresh.
    const { created } = await putRealm({ ...s, keyRing }, id, input);
    expect(created).toBe(true);
    expect((await keyRing.jwks(id)).keys).toHaveLength(1);
  });

  it("when an update of an existing realm fails, then nothing of the realm is removed", async () => {
    const id = randomUUID();
    await putRealm(s, id, input);
    await expect(putRealm({ ...s, realms: new RefusingRealms(() => s.tables.table("Realms")) }, id, input)).rejects.toThrow();
    expect(await s.realms.get(id)).toMatchObject({ id, status: "active" });
    expect(await s.branchCache.status(id)).toMatchObject({ set: true });
    expect(await s.policies.get(id, { kind: "realm" })).toBeDefined();
  });
});

describe("realm counts", () => {
  it("when a realm has devices and policies, then only its own are counted", async () => {
    const a = randomUUID();
    const b = randomUUID();
    await putRealm(s, a, input);
    await putRealm(s, b, input);
    for (const realm of [a, a, b]) {
      const deviceId = randomUUID();
      await s.devices.update(realm, deviceId, () => ({ realmId: realm, deviceId, thumbprint: "00", enrolledAt: "2025-03-01T10:00:00.000Z", stale: false, lastSequence: 0 }));
    }
    await s.policies.put(a, { kind: "group", id: "g1" }, { makeAdmin: true }, "2025-03-01T10:00:00.000Z");
    expect(await realmCounts(s, a)).toEqual({ devices: 2, policies: 2 });
    expect(await realmCounts(s, b)).toEqual({ devices: 1, policies: 1 });
  });
});
