import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import type { TokenCredential } from "@azure/core-auth";
import { AuditLog } from "../audit/audit-log.js";
import { systemClock, type Clock } from "../core/clock.js";
import type { Settings } from "../config/settings.js";
import { DEVICE_REPORT_CONTAINER, DeviceRepository } from "../devices/device-repository.js";
import { DeviceRetirements } from "../devices/device-retirement.js";
import { AzureOrchestrationClient } from "../durable/azure-orchestration-client.js";
import { AlternativeSecurityIdTrust } from "../directory/certificate-trust.js";
import { GraphDirectory } from "../directory/graph-directory.js";
import { CachedMembershipDirectory } from "../directory/cached-membership.js";
import { DirectoryKnownDevices } from "../directory/known-devices.js";
import { LocalDirectory } from "../directory/local-directory.js";
import { RealmRoutedDirectory } from "../directory/realm-routed-directory.js";
import { PolicyRepository } from "../policies/policy-repository.js";
import { CatalogueRequiredPackages } from "../onboarding/catalogue-required-packages.js";
import { composePackages } from "./compose-packages.js";
import { DeviceFleet } from "../agent-config/fleet-audiences.js";
import { ImpactService } from "../packages/impact-service.js";
import { GuardedChanges } from "../packages/guarded-changes.js";
import { BranchCachePassphraseStore } from "../realms/branchcache-passphrase-store.js";
import { RealmRepository } from "../realms/realm-repository.js";
import { ReleaseRepository } from "../releases/release-repository.js";
import { blobServiceFor } from "../storage/blob-store.js";
import { ContainerStore } from "../storage/container-store.js";
import { probeStorage } from "../storage/health-probe.js";
import { TableStore, type StorageTarget } from "../storage/table-store.js";
import { jsonLogger, type Logger } from "../telemetry/logger.js";
import { LogTelemetry, type Telemetry } from "../telemetry/telemetry.js";
import { trackedFetch } from "../telemetry/tracked-fetch.js";
import { composeIdentity } from "./compose-identity.js";
import { composeSigning } from "./compose-signing.js";
import { federatedAppCredential } from "./graph-credential.js";
import { packageVersion } from "./package-version.js";
import type { AppServices } from "./services.js";

export interface ComposeOptions {
  clock?: Clock;
  log?: Logger;
  /** Overrides AzureWebJobsStorage (the local host passes its embedded Azurite here). */
  storageConnectionString?: string;
  telemetry?: Telemetry;
  /** How the Graph adapter reaches Graph; by default the federated app credential and the tracked fetch (tests point it at a local Graph). */
  graphAccess?: GraphAccess;
}

/** A token credential per customer tenant and the fetch the Graph adapter uses. */
export interface GraphAccess {
  credentialFor(tenantId: string): TokenCredential;
  fetch: typeof fetch;
}

/** The one credential of the app: the user-assigned managed identity in Azure, the developer's login elsewhere. */
export function appCredential(settings: Settings): TokenCredential {
  const clientId = settings.RJ_MANAGED_IDENTITY_CLIENT_ID ?? settings.AzureWebJobsStorage__clientId;
  return clientId !== undefined ? new ManagedIdentityCredential({ clientId }) : new DefaultAzureCredential();
}

export function storageTarget(settings: Settings, credential: () => TokenCredential, override?: string): StorageTarget {
  const cs = override ?? settings.AzureWebJobsStorage;
  if (cs !== undefined) return { kind: "connection-string", connectionString: cs };
  const accountName = settings.AzureWebJobsStorage__accountName;
  if (accountName === undefined) throw new Error("no storage configured");
  return {
    kind: "identity",
    accountName,
    credential: credential(),
    ...(settings.AzureWebJobsStorage__tableServiceUri === undefined ? {} : { tableUrl: settings.AzureWebJobsStorage__tableServiceUri }),
    ...(settings.AzureWebJobsStorage__blobServiceUri === undefined ? {} : { blobUrl: settings.AzureWebJobsStorage__blobServiceUri }),
  };
}

async function telemetryFor(settings: Settings, log: Logger): Promise<Telemetry> {
  const cs = settings.APPLICATIONINSIGHTS_CONNECTION_STRING;
  if (cs === undefined) return new LogTelemetry(log);
  // Loaded only when configured: the OpenTelemetry stack is heavy for a cold start that does not use it.
  const { AppInsightsTelemetry } = await import("../telemetry/app-insights.js");
  return new AppInsightsTelemetry(cs);
}

function memo<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

/**
 * Builds the services from settings: SDK clients made once, tables and containers created idempotently on first use.
 * The local host and the Azure host both come through here; only settings differ.
 */
export async function composeServices(settings: Settings, options: ComposeOptions = {}): Promise<AppServices> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? jsonLogger();
  const telemetry = options.telemetry ?? (await telemetryFor(settings, log));
  const credential = memo(() => appCredential(settings));
  const target = storageTarget(settings, credential, options.storageConnectionString);
  const tables = new TableStore(target, settings.RJ_TABLE_PREFIX);
  const { service: blobs, sharedKey } = blobServiceFor(target);
  const containers = new ContainerStore(blobs);
  const tableService = tables.service();
  const realms = new RealmRepository(() => tables.table("Realms"), { cacheTtlMs: settings.RJ_REALM_CACHE_SECONDS * 1000, clock });

  const localDirectory = new LocalDirectory(await tables.table("Directory"));
  const appClientId = settings.RJ_GRAPH_APP_CLIENT_ID;
  const graphAccess: GraphAccess | undefined =
    options.graphAccess ?? (appClientId === undefined ? undefined : { credentialFor: federatedAppCredential(appClientId, credential()), fetch: trackedFetch(telemetry) });
  const graph =
    graphAccess === undefined
      ? undefined
      : new GraphDirectory({
          credentialFor: (tenantId) => graphAccess.credentialFor(tenantId),
          settings: {
            baseUrl: settings.RJ_GRAPH_BASE_URL,
            timeoutMs: settings.RJ_GRAPH_TIMEOUT_MS,
            membershipCacheTtlMs: settings.RJ_MEMBERSHIP_CACHE_SECONDS * 1000,
          },
          clock,
          fetch: graphAccess.fetch,
        });
  const membershipTtlMs = settings.RJ_MEMBERSHIP_CACHE_SECONDS * 1000;
  const directory = new RealmRoutedDirectory(realms, new CachedMembershipDirectory(localDirectory, membershipTtlMs, clock), graph);

  const identity = await composeIdentity(settings, {
    tables,
    realms,
    clock,
    log,
    graphTrust: new AlternativeSecurityIdTrust(directory),
    knownDevices: new DirectoryKnownDevices(directory, localDirectory),
  });
  const signing = await composeSigning(settings, { tables, clock, credential });

  // Agent polls key their policy and delivery caches on the realm row's generation tokens (see Realm.generations).
  const policies = new PolicyRepository(() => tables.table("Policies"), {
    generationOf: async (realmId) => (await realms.get(realmId))?.generations?.policies ?? "",
    afterChange: (realmId) => realms.bumpGeneration(realmId, "policies"),
    clock,
  });
  const devices = new DeviceRepository(() => tables.table("Devices"), containers.client(DEVICE_REPORT_CONTAINER));
  const packageParts = composePackages({
    tables,
    blobs,
    containers,
    blobSharedKey: sharedKey,
    clock,
    publicBaseUrl: settings.RJ_PUBLIC_BASE_URL ?? "http://localhost:7071",
    realmGeneration: {
      current: async (realmId) => (await realms.get(realmId))?.generations?.delivery ?? "",
      bump: (realmId) => realms.bumpGeneration(realmId, "delivery"),
    },
    sessionLimitBytes: settings.RJ_SESSION_UPLOAD_LIMIT_BYTES,
  });

  const impact = new ImpactService({ delivery: packageParts.packages.delivery, fleet: new DeviceFleet({ devices, policies, directory }) });

  return {
    settings,
    version: packageVersion(),
    clock,
    log,
    telemetry,
    tables,
    blobs,
    containers,
    ...(sharedKey === undefined ? {} : { blobSharedKey: sharedKey }),
    probeStorage: () => probeStorage(tableService, blobs, 2000),
    realms,
    ...identity,
    ...signing,
    branchCache: new BranchCachePassphraseStore({ table: () => tables.table("RealmSecrets"), wrapper: signing.keyWrapper, clock }),
    directory,
    localDirectory,
    policies,
    devices,
    retiredDevices: new DeviceRetirements(() => tables.table("RetiredDevices"), () => tables.table("DevicePins")),
    ...packageParts,
    releases: new ReleaseRepository(() => tables.table("Releases")),
    audit: new AuditLog(() => tables.table("Audit"), clock),
    impact,
    changes: new GuardedChanges({ impact, directory, catalogue: packageParts.packages.catalogue, assignments: packageParts.packages.assignments, clock }),
    requiredPackages: new CatalogueRequiredPackages({ delivery: packageParts.packages.delivery, devices, policies, directory }),
    orchestrations: (invocation) => AzureOrchestrationClient.fromContext(invocation),
  };
}
