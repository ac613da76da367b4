import { mkdtempSync } from "node:fs";
import type { InvocationContext as Invocation } from "@azure/functions";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { composeServices } from "../../../lib/app/compose.js";
import type { AppServices } from "../../../lib/app/services.js";
import { ManualClock } from "../../../lib/core/clock.js";
import { DurableRegistry } from "../../../lib/durable/registry.js";
import { LocalDurableRuntime } from "../../../lib/durable/local-runtime.js";
import { TableDurableStore } from "../../../lib/durable/table-store.js";
import { localHostSettings } from "../../../lib/localhost/local-settings.js";
import type { Realm } from "../../../lib/realms/realm.js";
import { InvocationContext } from "../../../lib/registry/azure-functions.js";
import { silentLogger } from "../../../lib/telemetry/logger.js";
import { RecordingTelemetry } from "../../../lib/telemetry/telemetry.js";
import { uniquePrefix } from "../../support/test-host.js";

export interface ReconcileFixture {
  services: AppServices;
  clock: ManualClock;
  telemetry: RecordingTelemetry;
  store: TableDurableStore;
  invocation: Invocation;
}

/** Real services over the shared Azurite with their own table prefix, a manual clock, recorded telemetry and a local durable runtime. */
export async function reconcileFixture(env: Record<string, string> = {}): Promise<ReconcileFixture> {
  const clock = new ManualClock(Date.now());
  const telemetry = new RecordingTelemetry();
  const settings = localHostSettings({
    env: { AzureWebJobsStorage: inject("storageConnectionString"), RJ_TABLE_PREFIX: uniquePrefix(), RJ_DEV_IDENTITY_PROVIDER: "false", ...env },
    dataDir: mkdtempSync(join(tmpdir(), "rj-reconcile-")),
    fast: false,
  });
  const services = await composeServices(settings, { clock, log: silentLogger, telemetry });
  const store = new TableDurableStore(await services.tables.table("DurableInstances"));
  const runtime = new LocalDurableRuntime({ store, registry: new DurableRegistry(), clock });
  services.orchestrations = () => runtime;
  return { services, clock, telemetry, store, invocation: new InvocationContext({ functionName: "reconcile" }) };
}

/** Registers an active realm. */
export async function addRealm(services: AppServices, id: string, overrides: Partial<Realm> = {}): Promise<Realm> {
  const realm: Realm = { id, name: id, status: "active", deviceTrust: "device-ca", noGraph: true, createdAt: new Date(0).toISOString(), ...overrides };
  await services.realms.put(realm);
  return realm;
}

const DAY_MS = 86_400_000;

/** Stores a device last seen `daysAgo` days before the clock's now (never seen when null: enrolled that long ago). */
export async function addDevice(f: ReconcileFixture, realmId: string, deviceId: string, daysAgo: number | null, stale = false): Promise<void> {
  const at = new Date(f.clock.now() - (daysAgo ?? 40) * DAY_MS).toISOString();
  await f.services.devices.update(realmId, deviceId, () => ({
    realmId,
    deviceId,
    enrolledAt: daysAgo === null ? at : new Date(0).toISOString(),
    stale,
    lastSequence: 0,
    ...(daysAgo === null ? {} : { lastSeenAt: at }),
  }));
}
