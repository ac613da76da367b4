import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { randomUUID } from "node:crypto";
import { TableClient } from "@azure/data-tables";
import { ManualClock } from "../../../lib/core/clock.js";
import { AppError } from "../../../lib/core/errors.js";
import { TableReplayCache } from "../../../lib/auth/table-replay-cache.js";
import { TableDevicePinStore } from "../../../lib/auth/table-device-pin-store.js";
import { DeviceAssertionValidator } from "../../../lib/auth/device-assertion-validator.js";
import type { DevDeviceCa } from "../../../lib/auth/dev-device-ca.js";
import { devicePinStoreContract, replayCacheContract } from "../../unit/auth/contracts.js";
import {
  StaticRealmLookup,
  TEST_AUDIENCES,
  TEST_TENANTS,
  createTestDevice,
  deviceAssertionFor,
  openTestDeviceCa,
  testRealm,
} from "../../support/identity-fixtures.js";

async function freshTable(prefix: string): Promise<TableClient> {
  const cs = inject("storageConnectionString");
  const client = TableClient.fromConnectionString(cs, `${prefix}${randomUUID().replace(/-/g, "").slice(0, 16)}`, { allowInsecureConnection: true });
  await client.createTable();
  return client;
}

replayCacheContract("table", async () => new TableReplayCache(await freshTable("replay")));
devicePinStoreContract("table", async () => new TableDevicePinStore(await freshTable("pins")));

describe("device assertions across processes", () => {
  const clock = new ManualClock(Date.now());
  const CONTOSO = TEST_TENANTS.contoso;
  let ca: DevDeviceCa & { remove(): Promise<void> };
  let realms: StaticRealmLookup;

  beforeAll(async () => {
    ca = await openTestDeviceCa(clock);
    realms = new StaticRealmLookup([testRealm(CONTOSO, { deviceCaPem: ca.caPem() }), testRealm(TEST_TENANTS.fabrikam, { deviceTrust: "pinned" })]);
  });
  afterAll(async () => ca.remove());

  async function twoInstances() {
    const first = await freshTable("shared");
    const cs = inject("storageConnectionString");
    // Separate clients on one table stand in for two Function instances.
    const second = TableClient.fromConnectionString(cs, first.tableName, { allowInsecureConnection: true });
    const pinTable = await freshTable("sharedpins");
    const pinTable2 = TableClient.fromConnectionString(cs, pinTable.tableName, { allowInsecureConnection: true });
    const make = (replay: TableClient, pins: TableClient) =>
      new DeviceAssertionValidator({
        settings: { audiences: TEST_AUDIENCES },
        realms,
        clock,
        replayCache: new TableReplayCache(replay),
        pins: new TableDevicePinStore(pins, clock),
        knownDevices: { isKnown: async () => true },
      });
    return [make(first, pinTable), make(second, pinTable2)] as const;
  }

  it("when an assertion accepted by one validator is replayed to another sharing the Table cache, then 401", async () => {
    const [a, b] = await twoInstances();
    const device = await createTestDevice(ca);
    const assertion = await deviceAssertionFor(device, CONTOSO, { nowMs: clock.now() });
    expect((await a.validate(assertion)).deviceId).toBe(device.deviceId);
    const e: unknown = await b.validate(assertion).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).status).toBe(401);
  });

  it("when one instance pins a device, then the other accepts that certificate and refuses another", async () => {
    const [a, b] = await twoInstances();
    const device = await createTestDevice(ca);
    await a.validate(await deviceAssertionFor(device, TEST_TENANTS.fabrikam, { nowMs: clock.now() }), { allowPinOnFirstUse: true });
    expect((await b.validate(await deviceAssertionFor(device, TEST_TENANTS.fabrikam, { nowMs: clock.now() }))).thumbprint).toBe(device.thumbprint);
    const other = await createTestDevice(ca, { deviceId: device.deviceId });
    const e: unknown = await b
      .validate(await deviceAssertionFor(other, TEST_TENANTS.fabrikam, { nowMs: clock.now() }), { allowPinOnFirstUse: true })
      .catch((err: unknown) => err);
    expect((e as AppError).status).toBe(401);
  });
});
