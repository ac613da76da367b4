import type { AppServices } from "../app/services.js";
import { isConflict } from "../storage/rest-error.js";

/** Blob containers the app uses. */
export const CONTAINERS = ["packages", "content-info", "device-reports"] as const;

/** Creates the containers (idempotent); tables are created on first use by the TableStore. */
export async function prepareStorage(services: AppServices): Promise<void> {
  for (const name of CONTAINERS) {
    try {
      await services.blobs.getContainerClient(name).createIfNotExists();
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
  }
}
