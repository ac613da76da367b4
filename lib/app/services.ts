import type { InvocationContext } from "@azure/functions";
import type { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import type { AuditLog } from "../audit/audit-log.js";
import type { Authenticator } from "../auth/authenticator.js";
import type { DevDeviceCa } from "../auth/dev-device-ca.js";
import type { DevIdentityProvider } from "../auth/dev-identity-provider.js";
import type { DevicePinStore } from "../auth/device-trust.js";
import type { TableReplayCache } from "../auth/table-replay-cache.js";
import type { Clock } from "../core/clock.js";
import type { Settings } from "../config/settings.js";
import type { DeviceRepository } from "../devices/device-repository.js";
import type { DeviceRetirements } from "../devices/device-retirement.js";
import type { OrchestrationClient } from "../durable/orchestration-client.js";
import type { RealmRoutedDirectory } from "../directory/realm-routed-directory.js";
import type { LocalDirectory } from "../directory/local-directory.js";
import type { PolicyRepository } from "../policies/policy-repository.js";
import type { ContentInfoStore } from "../content/content-info-store.js";
import type { SasSigningKeys } from "../packages/blob-sas.js";
import type { PackageServices } from "../packages/package-service.js";
import type { UploadSessionService } from "../packages/upload-session-service.js";
import type { ImpactService } from "../packages/impact-service.js";
import type { GuardedChanges } from "../packages/guarded-changes.js";
import type { RequiredPackagesSource } from "../onboarding/required-packages.js";
import type { BranchCachePassphraseStore } from "../realms/branchcache-passphrase-store.js";
import type { RealmRepository } from "../realms/realm-repository.js";
import type { ReleaseRepository } from "../releases/release-repository.js";
import type { DocumentSigner, KeyWrapper, RealmKeyRing } from "../signing/index.js";
import type { StorageHealth } from "../storage/health-probe.js";
import type { ContainerStore } from "../storage/container-store.js";
import type { TableStore } from "../storage/table-store.js";
import type { Logger } from "../telemetry/logger.js";
import type { Telemetry } from "../telemetry/telemetry.js";

/** Everything a handler may reach, built once per host from the settings (the composition root's product). */
export interface AppServices {
  settings: Settings;
  version: string;
  clock: Clock;
  log: Logger;
  telemetry: Telemetry;
  tables: TableStore;
  blobs: BlobServiceClient;
  /** The app's blob containers, each created on first write. */
  containers: ContainerStore;
  /** Present with account-key storage (Azurite); absent with identity-based storage (user-delegation SAS). */
  blobSharedKey?: StorageSharedKeyCredential;
  probeStorage(): Promise<StorageHealth>;
  realms: RealmRepository;
  authenticator: Authenticator;
  replayCache: TableReplayCache;
  /** Pinned-trust realms' certificate pins. */
  devicePins: DevicePinStore;
  /** Accepted token audiences; the first is the one the dev commands mint for. */
  audiences: string[];
  keyRing: RealmKeyRing;
  documents: DocumentSigner;
  keyWrapper: KeyWrapper;
  /** Each realm's BranchCache passphrase, wrapped at rest; content code reads it, admins set it. */
  branchCache: BranchCachePassphraseStore;
  directory: RealmRoutedDirectory;
  /** The Table-backed directory of NoGraph realms (and of every realm on the local host). */
  localDirectory: LocalDirectory;
  policies: PolicyRepository;
  devices: DeviceRepository;
  /** Tombstones of retired devices (refused on every agent call). */
  retiredDevices: DeviceRetirements;
  releases: ReleaseRepository;
  packages: PackageServices;
  contentInfo: ContentInfoStore;
  /** Keys for read-only SAS URLs: the account key (Azurite) or a user-delegation key (managed identity). */
  sasKeys(): Promise<SasSigningKeys>;
  /** Upload sessions (POST /api/admin/v1/uploads): bytes go straight to storage, publishing runs in the background. */
  uploads: UploadSessionService;
  /** Impact of admin changes on required packages (would-break-required), and the realm's undeliverable required packages. */
  impact: ImpactService;
  /** Assignment and catalogue changes checked for their impact first. */
  changes: GuardedChanges;
  /** Required packages of a device, for the initial run's plan. */
  requiredPackages: RequiredPackagesSource;
  /** The door to orchestrations for one invocation: the Durable client in Azure, the local runtime at home. */
  orchestrations(invocation: InvocationContext): OrchestrationClient;
  /** Append-only record of admin and operator writes, recovery-key reads and refused authorisations. */
  audit: AuditLog;
  /** Only on the local host with RJ_DEV_IDENTITY_PROVIDER: the dev identity provider and device CA. */
  dev?: { idp: DevIdentityProvider; ca: DevDeviceCa };
}
