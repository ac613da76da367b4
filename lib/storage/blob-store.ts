import { BlobServiceClient, StorageSharedKeyCredential, type StoragePipelineOptions } from "@azure/storage-blob";
import { blobEndpoint, type StorageTarget } from "./table-store.js";

const OPTIONS: StoragePipelineOptions = {
  retryOptions: { maxTries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 1000, tryTimeoutInMs: 30_000 },
};

function parseConnectionString(cs: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of cs.split(";")) {
    const at = part.indexOf("=");
    if (at > 0) map.set(part.slice(0, at).toLowerCase(), part.slice(at + 1));
  }
  return map;
}

/** The Blob service for a storage target, and (with account keys) the shared-key credential for SAS. */
export function blobServiceFor(target: StorageTarget): { service: BlobServiceClient; sharedKey?: StorageSharedKeyCredential } {
  if (target.kind === "identity") {
    return { service: new BlobServiceClient(blobEndpoint(target), target.credential, OPTIONS) };
  }
  const service = BlobServiceClient.fromConnectionString(target.connectionString, OPTIONS);
  const parts = parseConnectionString(target.connectionString);
  const name = parts.get("accountname");
  const key = parts.get("accountkey");
  return name !== undefined && key !== undefined
    ? { service, sharedKey: new StorageSharedKeyCredential(name, key) }
    : { service };
}
