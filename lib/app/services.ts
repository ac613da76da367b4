import type { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import type { Clock } from "../core/clock.js";
import type { Settings } from "../config/settings.js";
import type { TableStore } from "../storage/table-store.js";
import type { Logger } from "../telemetry/logger.js";
import type { StorageHealth } from "../storage/health-probe.js";
import type { RealmRepository } from "../realms/realm-repository.js";

/** Everything a handler may reach, built once per host from the settings (the composition root's product). */
export interface AppServices {
  settings: Settings;
  version: string;
  clock: Clock;
  log: Logger;
  tables: TableStore;
  blobs: BlobServiceClient;
  /** Present with account-key storage (Azurite); absent with identity-based storage (user-delegation SAS). */
  blobSharedKey?: StorageSharedKeyCredential;
  probeStorage(): Promise<StorageHealth>;
  realms: RealmRepository;
}
