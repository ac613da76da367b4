import type { BlobClient } from "@azure/storage-blob";
import { systemClock, type Clock } from "../core/clock.js";
import { signedBlobUrl, type SasSigningKeys } from "./blob-sas.js";

/**
 * The blob's URL with a write-only SAS for exactly that blob (create and write: Put Block, Put Block List;
 * no read, list or delete), valid until expiresOn, at most an hour away. Signed with the account key (Azurite)
 * or a user-delegation key (Azure). Throws AppError("internal") on a lifetime out of range or without a key.
 */
export function writeSasUrl(blobClient: BlobClient, keys: SasSigningKeys, expiresOn: Date, clock: Clock = systemClock): string {
  return signedBlobUrl(blobClient, keys, expiresOn, { permissions: "cw", label: "write" }, clock);
}
