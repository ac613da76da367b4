import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import type { TokenCredential } from "@azure/core-auth";
import { systemClock, type Clock } from "../core/clock.js";
import type { Settings } from "../config/settings.js";
import { blobServiceFor } from "../storage/blob-store.js";
import { probeStorage } from "../storage/health-probe.js";
import { TableStore, type StorageTarget } from "../storage/table-store.js";
import { jsonLogger, type Logger } from "../telemetry/logger.js";
import { packageVersion } from "./package-version.js";
import type { AppServices } from "./services.js";
import { RealmRepository } from "../realms/realm-repository.js";

export interface ComposeOptions {
  clock?: Clock;
  log?: Logger;
  /** Overrides AzureWebJobsStorage (the local host passes its embedded Azurite here). */
  storageConnectionString?: string;
}

/** The one credential of the app: the user-assigned managed identity in Azure, the developer's login elsewhere. */
export function appCredential(settings: Settings): TokenCredential {
  const clientId = settings.RJ_MANAGED_IDENTITY_CLIENT_ID ?? settings.AzureWebJobsStorage__clientId;
  return clientId !== undefined ? new ManagedIdentityCredential({ clientId }) : new DefaultAzureCredential();
}

export function storageTarget(settings: Settings, override?: string): StorageTarget {
  const cs = override ?? settings.AzureWebJobsStorage;
  if (cs !== undefined) return { kind: "connection-string", connectionString: cs };
  const accountName = settings.AzureWebJobsStorage__accountName;
  if (accountName === undefined) throw new Error("no storage configured");
  return { kind: "identity", accountName, credential: appCredential(settings) };
}

/** Builds the services from settings. Makes SDK clients once; creates nothing in storage until first use. */
export function composeServices(settings: Settings, options: ComposeOptions = {}): AppServices {
  const target = storageTarget(settings, options.storageConnectionString);
  const tables = new TableStore(target, settings.RJ_TABLE_PREFIX);
  const { service: blobs, sharedKey } = blobServiceFor(target);
  const tableService = tables.service();
  return {
    settings,
    version: packageVersion(),
    clock: options.clock ?? systemClock,
    log: options.log ?? jsonLogger(),
    tables,
    blobs,
    ...(sharedKey === undefined ? {} : { blobSharedKey: sharedKey }),
    probeStorage: () => probeStorage(tableService, blobs, 2000),
    realms: new RealmRepository(() => tables.table("Realms")),
  };
}
