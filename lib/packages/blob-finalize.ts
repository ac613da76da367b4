import { RestError, type BlobGetPropertiesResponse, type BlockBlobClient, type ContainerClient } from "@azure/storage-blob";
import { AppError } from "../core/errors.js";
import { systemClock, type Clock } from "../core/clock.js";
import { readSasUrl, type SasSigningKeys } from "./blob-sas.js";

/** The content-addressed blob name of a package: `sha256/<lower-case hex>`; throws Error on a malformed digest. */
export function contentBlobName(sha256Hex: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256Hex)) throw new Error(`not a lower-case SHA-256 hex digest: ${sha256Hex}`);
  return `sha256/${sha256Hex}`;
}

/** What finalizeStaging needs. */
export interface FinalizeOptions {
  readonly container: ContainerClient;
  readonly stagingBlobName: string;
  readonly sha256Hex: string;
  /** Signs the short-lived read SAS the server-side copy reads the staging blob through. */
  readonly keys: SasSigningKeys;
  readonly clock?: Clock;
  /** Copy-status poll interval; default 250 ms (same-account copies usually finish at once). */
  readonly pollIntervalMs?: number;
}

/** Where the package now lives, and whether this call copied it (false: the same bytes were already there). */
export interface FinalizedBlob {
  readonly contentBlobName: string;
  readonly copied: boolean;
}

const COPY_SAS_MS = 15 * 60 * 1000;

const statusOf = (error: unknown): number | undefined => (error instanceof RestError ? error.statusCode : undefined);

async function propertiesOrAbsent(blob: BlockBlobClient): Promise<BlobGetPropertiesResponse | undefined> {
  try {
    return await blob.getProperties();
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/**
 * Deletes a staging blob, committed or holding only uncommitted blocks; resolves true when nothing is left.
 * Never throws: a blob it cannot delete is left for the `staging/` lifecycle rule.
 */
export async function discardStaging(container: ContainerClient, stagingBlobName: string): Promise<boolean> {
  const blob = container.getBlockBlobClient(stagingBlobName);
  try {
    // Committing an empty block list drops any uncommitted blocks of an aborted upload, which a plain
    // delete cannot reach (they are invisible until committed).
    await blob.commitBlockList([]);
    await blob.deleteIfExists();
    return true;
  } catch {
    return false;
  }
}

/**
 * Moves a validated staging blob to `sha256/<hex>` by a server-side copy (skipped when that blob already exists
 * complete: same bytes, same name), then deletes the staging blob. On failure the staging blob is discarded too
 * and the error rethrown: AppError("upstream") when the copy ends other than in success, AppError("unavailable")
 * while another copy to the same name is pending, the storage RestError otherwise.
 */
export async function finalizeStaging(options: FinalizeOptions): Promise<FinalizedBlob> {
  const { container, stagingBlobName, sha256Hex } = options;
  const name = contentBlobName(sha256Hex);
  const target = container.getBlockBlobClient(name);
  try {
    const copied = await copyUnlessPresent(target, options);
    return { contentBlobName: name, copied };
  } finally {
    await discardStaging(container, stagingBlobName);
  }
}

async function copyUnlessPresent(target: BlockBlobClient, options: FinalizeOptions): Promise<boolean> {
  const existing = await propertiesOrAbsent(target);
  if (existing !== undefined) {
    if (existing.copyStatus === undefined || existing.copyStatus === "success") return false;
    if (existing.copyStatus === "pending") {
      throw new AppError("unavailable", "The same package is being stored by another upload; retry shortly", { retryAfterSeconds: 5 });
    }
    // A failed or aborted earlier copy left an incomplete blob: replace it.
    await target.deleteIfExists();
  }
  const clock = options.clock ?? systemClock;
  const source = options.container.getBlobClient(options.stagingBlobName);
  // With the account key the copy request itself authorises a same-account source, so no SAS is needed;
  // that also avoids Azurite buffering the whole source (and failing past 512 MiB) when it checks a SAS source.
  const sourceUrl = options.keys.sharedKey !== undefined ? source.url : readSasUrl(source, options.keys, new Date(clock.now() + COPY_SAS_MS), clock);
  try {
    const poller = await target.beginCopyFromURL(sourceUrl, {
      conditions: { ifNoneMatch: "*" },
      intervalInMs: options.pollIntervalMs ?? 250,
    });
    const result = await poller.pollUntilDone();
    if (result.copyStatus !== undefined && result.copyStatus !== "success") {
      await target.deleteIfExists();
      throw new AppError("upstream", `Storing the package failed: copy ${result.copyStatus}`);
    }
    return true;
  } catch (error) {
    // Another upload of the same bytes won the race to create the content blob.
    if (statusOf(error) === 409 || statusOf(error) === 412) return false;
    throw error;
  }
}
