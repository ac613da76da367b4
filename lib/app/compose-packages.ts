import type { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import type { Clock } from "../core/clock.js";
import { ContentInfoStore } from "../content/content-info-store.js";
import { UserDelegationKeyCache, sasSigningKeys } from "../packages/blob-delegation-key.js";
import type { SasSigningKeys } from "../packages/blob-sas.js";
import { createPackageServices, type PackageServices } from "../packages/package-service.js";
import type { ContainerStore } from "../storage/container-store.js";
import type { ContainerName } from "../storage/storage-names.js";
import type { TableStore } from "../storage/table-store.js";
import { UploadSessionRepository, UPLOAD_SESSIONS_TABLE } from "../packages/upload-session-repository.js";
import { UploadSessionService } from "../packages/upload-session-service.js";

export const PACKAGE_CONTAINER: ContainerName = "packages";
export const CONTENT_INFO_CONTAINER: ContainerName = "content-info";

export interface PackageParts {
  packages: PackageServices;
  contentInfo: ContentInfoStore;
  /** Keys for read-only SAS URLs: the account key (Azurite) or a cached user-delegation key (managed identity). */
  sasKeys(): Promise<SasSigningKeys>;
  /** Upload sessions: packages written straight to storage, published in the background. */
  uploads: UploadSessionService;
}

/** The package domain's services, the content-information store and SAS signing, made once per host. */
export function composePackages(deps: {
  tables: TableStore;
  blobs: BlobServiceClient;
  containers: ContainerStore;
  blobSharedKey: StorageSharedKeyCredential | undefined;
  clock: Clock;
  publicBaseUrl: string;
  realmGeneration?: { current(realmId: string): Promise<string>; bump(realmId: string): Promise<void> };
  /** RJ_SESSION_UPLOAD_LIMIT_BYTES. */
  sessionLimitBytes: number;
}): PackageParts {
  const delegation = deps.blobSharedKey === undefined ? new UserDelegationKeyCache(deps.blobs, deps.clock) : undefined;
  const sasKeys = (): Promise<SasSigningKeys> => sasSigningKeys(deps.blobSharedKey, delegation);
  return {
    packages: createPackageServices({
      table: (name) => deps.tables.table(name),
      clock: deps.clock,
      publicBaseUrl: deps.publicBaseUrl,
      ...(deps.realmGeneration === undefined ? {} : { realmGeneration: deps.realmGeneration }),
    }),
    contentInfo: new ContentInfoStore(() => deps.containers.container(CONTENT_INFO_CONTAINER)),
    sasKeys,
    uploads: new UploadSessionService({
      sessions: new UploadSessionRepository(() => deps.tables.table(UPLOAD_SESSIONS_TABLE)),
      container: deps.containers.client(PACKAGE_CONTAINER),
      ensureContainer: () => deps.containers.container(PACKAGE_CONTAINER),
      clock: deps.clock,
      sasKeys,
      limitBytes: deps.sessionLimitBytes,
    }),
  };
}
