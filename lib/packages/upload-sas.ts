import { BlobSASPermissions, generateBlobSASQueryParameters, SASProtocol, type BlobClient } from "@azure/storage-blob";
import { AppError } from "../core/errors.js";
import { systemClock, type Clock } from "../core/clock.js";
import { MAX_READ_SAS_MS, type SasSigningKeys } from "./blob-sas.js";

/**
 * The blob's URL with a write-only SAS for exactly that blob (create and write: Put Block, Put Block List;
 * no read, list or delete), valid until expiresOn, at most an hour away. Signed with the account key (Azurite)
 * or a user-delegation key (Azure). Throws AppError("internal") on a lifetime out of range or without a key.
 */
export function writeSasUrl(blobClient: BlobClient, keys: SasSigningKeys, expiresOn: Date, clock: Clock = systemClock): string {
  const lifetime = expiresOn.getTime() - clock.now();
  if (!(lifetime > 0) || lifetime > MAX_READ_SAS_MS) {
    throw new AppError("internal", `A write SAS must expire within the next hour (asked for ${Math.round(lifetime / 1000)} s)`);
  }
  const url = new URL(blobClient.url);
  const values = {
    containerName: blobClient.containerName,
    blobName: blobClient.name,
    permissions: BlobSASPermissions.parse("cw"),
    expiresOn,
    protocol: url.protocol === "http:" ? SASProtocol.HttpsAndHttp : SASProtocol.Https,
  };
  let sas: string;
  if (keys.sharedKey !== undefined) sas = generateBlobSASQueryParameters(values, keys.sharedKey).toString();
  else if (keys.userDelegationKey !== undefined) sas = generateBlobSASQueryParameters(values, keys.userDelegationKey, blobClient.accountName).toString();
  else throw new AppError("internal", "No key to sign a SAS with: give the account key or a user-delegation key");
  url.search = url.search.length > 1 ? `${url.search.slice(1)}&${sas}` : sas;
  return url.toString();
}
