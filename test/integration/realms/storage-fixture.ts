import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { ManualClock } from "../../../lib/core/clock.js";
import { parseSettings, type Settings } from "../../../lib/config/settings.js";
import { DEVICE_REPORT_CONTAINER, DeviceRepository } from "../../../lib/devices/device-repository.js";
import { PolicyRepository } from "../../../lib/policies/policy-repository.js";
import { BranchCachePassphraseStore } from "../../../lib/realms/branchcache-passphrase-store.js";
import { RealmRepository } from "../../../lib/realms/realm-repository.js";
import { InMemoryKeyRingStore, LocalKeyWrapper, LocalSigningKeySource, RealmKeyRing } from "../../../lib/signing/index.js";
import { blobServiceFor } from "../../../lib/storage/blob-store.js";
import { TableStore } from "../../../lib/storage/table-store.js";
import { uniquePrefix } from "../../support/test-host.js";

/** Real storage parts of the realm domain on the shared Azurite, under a unique table prefix, with local keys in a temp folder. */
export async function realmStorage() {
  const cs = inject("storageConnectionString");
  const prefix = uniquePrefix();
  const dir = await mkdtemp(join(tmpdir(), "rj-realms-"));
  const settings: Settings = parseSettings({ AzureWebJobsStorage: cs, RJ_TABLE_PREFIX: prefix, RJ_DATA_DIR: dir });
  const clock = new ManualClock(Date.parse("2025-03-01T10:00:00Z"));
  const tables = new TableStore({ kind: "connection-string", connectionString: cs }, prefix);
  const { service: blobs } = blobServiceFor({ kind: "connection-string", connectionString: cs });
  const keyWrapper = new LocalKeyWrapper(dir);
  return {
    settings,
    clock,
    tables,
    blobs,
    keyWrapper,
    realms: new RealmRepository(() => tables.table("Realms")),
    policies: new PolicyRepository(() => tables.table("Policies")),
    devices: new DeviceRepository(() => tables.table("Devices"), blobs.getContainerClient(DEVICE_REPORT_CONTAINER)),
    keyRing: new RealmKeyRing({ keys: new LocalSigningKeySource({ dir, modulusLength: 2048 }), store: new InMemoryKeyRingStore(), clock, overlapMs: 86_400_000 }),
    branchCache: new BranchCachePassphraseStore({ table: () => tables.table("RealmSecrets"), wrapper: keyWrapper, clock }),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export type RealmStorage = Awaited<ReturnType<typeof realmStorage>>;
