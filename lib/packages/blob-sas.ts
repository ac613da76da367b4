import {
  BlobSASPermissions,
  generateBlobSASQueryParameters,
  SASProtocol,
  type BlobClient,
  type StorageSharedKeyCredential,
  type UserDelegationKey,
} from "@azure/storage-blob";
import { AppError } from "../core/errors.js";
import { systemClock, type Clock } from "../core/clock.js";

/** The key a SAS is signed with: the account key where there is one (Azurite), else a user-delegation key. */
export interface SasSigningKeys {
  readonly sharedKey?: StorageSharedKeyCredential;
  readonly userDelegationKey?: UserDelegationKey;
}

/** Longest lifetime readSasUrl accepts. */
export const MAX_READ_SAS_MS = 60 * 60 * 1000;

/**
 * The blob's URL with a read-only SAS valid until expiresOn (HTTPS-only unless the endpoint itself is http,
 * as Azurite's is). Prefers the shared key. Throws AppError("internal") when neither key is given, when
 * expiresOn is not in the future, or when it is more than an hour away.
 */
export function readSasUrl(blobClient: BlobClient, keys: SasSigningKeys, expiresOn: Date, clock: Clock = systemClock): string {
  return signedBlobUrl(blobClient, keys, expiresOn, { permissions: "r", label: "read" }, clock);
}

/**
 * The blob's URL with a SAS of exactly `permissions` for that blob, valid until expiresOn (at most an hour away),
 * HTTPS-only unless the endpoint itself is http. Prefers the shared key. Throws AppError("internal") when neither
 * key is given or the lifetime is out of range (`label` names the SAS in that message).
 */
export function signedBlobUrl(
  blobClient: BlobClient,
  keys: SasSigningKeys,
  expiresOn: Date,
  access: { permissions: string; label: string },
  clock: Clock = systemClock,
): string {
  const lifetime = expiresOn.getTime() - clock.now();
  if (!(lifetime > 0) || lifetime > MAX_READ_SAS_MS) {
    throw new AppError("internal", `A ${access.label} SAS must expire within the next hour (asked for ${Math.round(lifetime / 1000)} s)`);
  }
  const url = new URL(blobClient.url);
  const values = {
    containerName: blobClient.containerName,
    blobName: blobClient.name,
    permissions: BlobSASPermissions.parse(access.permissions),
    expiresOn,
    protocol: url.protocol === "http:" ? SASProtocol.HttpsAndHttp : SASProtocol.Https,
  };
  let sas: string;
  if (keys.sharedKey !== undefined) {
    sas = generateBlobSASQueryParameters(values, keys.sharedKey).toString();
  } else if (keys.userDelegationKey !== undefined) {
    sas = generateBlobSASQueryParameters(values, keys.userDelegationKey, blobClient.accountName).toString();
  } else {
    throw new AppError("internal", "No key to sign a SAS with: give the account key or a user-delegation key");
  }
  url.search = url.search.length > 1 ? `${url.search.slice(1)}&${sas}` : sas;
  return url.toString();
}
