import { sharedContentHashPool } from "../content/shared-hash-pool.js";
import type { PublishUploadDeps } from "../packages/publish-upload.js";
import { PACKAGE_CONTAINER } from "./compose-packages.js";
import type { AppServices } from "./services.js";

/** What the publish pipeline needs, from the host's services (the PUT route and the upload-session activity share it). */
export async function publishDeps(services: AppServices): Promise<PublishUploadDeps> {
  return {
    catalogue: services.packages.catalogue,
    container: await services.containers.container(PACKAGE_CONTAINER),
    contentInfo: services.contentInfo,
    keys: await services.sasKeys(),
    clock: services.clock,
    hasher: sharedContentHashPool(),
  };
}
