import type { ContainerClient } from "@azure/storage-blob";
import type { Clock } from "../core/clock.js";
import { ContentInfoBuilder } from "../content/content-info-builder.js";
import { NEUTRAL_SECRET, type ContentInfoStore } from "../content/content-info-store.js";
import type { ContentPieceHasher } from "../content/content-info-hasher.js";
import type { SasSigningKeys } from "./blob-sas.js";
import type { CatalogueService } from "./catalogue-service.js";
import type { PublishResult } from "./catalogue-record.js";
import { discardStaging } from "./blob-finalize.js";
import type { NuspecMetadata } from "./nuspec-metadata.js";
import { measureStagedBlob } from "./staged-blob-read.js";
import { ingestNupkg, ingestStaged, type IngestedPackage } from "./upload-ingest.js";
import type { StagedUpload } from "./upload-stream.js";
import type { UploadBody } from "./upload-body.js";

export interface PublishUploadDeps {
  catalogue: CatalogueService;
  container: ContainerClient;
  contentInfo: ContentInfoStore;
  keys: SasSigningKeys;
  clock: Clock;
  hasher: ContentPieceHasher;
}

/** A check run on the package's metadata before its blob is stored (e.g. the impact check); throwing refuses it. */
export type PublishGuard = (metadata: NuspecMetadata, staged: StagedUpload) => Promise<void>;

/**
 * Publishes a .nupkg body: streamed to a staging blob while its SHA-256 and its BranchCache content
 * information (V1 and V2, one pass) are computed, checked, moved to its content address and recorded.
 * Other bytes under an existing id and version are refused before the blob is written (409); the same
 * bytes again change nothing. Throws the pipeline's 400/413 AppErrors, leaving no blob or row behind (a content
 * blob this upload created is removed again when recording it fails).
 */
export async function publishUpload(
  deps: PublishUploadDeps,
  realmId: string,
  body: UploadBody,
  limitBytes: number,
  declaredLength: number | undefined,
  guard?: PublishGuard,
): Promise<PublishResult> {
  return await publishWith(deps, realmId, guard, (builder, beforeFinalize) =>
    ingestNupkg({
      body,
      container: deps.container,
      limitBytes,
      // 2 MiB blocks, 4 in flight: a 2 GiB package still fits Azure's 50,000-block limit, and an upload's
      // buffers stay near 10 MiB whatever its size.
      bufferBytes: 2 * 1024 * 1024,
      maxBuffers: 4,
      ...(declaredLength === undefined ? {} : { declaredLength }),
      sinks: [builder],
      keys: deps.keys,
      clock: deps.clock,
      beforeFinalize,
    }),
  );
}

/**
 * Publishes a blob already staged in the package container (an upload session's bytes): read once as a stream
 * for the hash and the content information, then the same checks, move and record as publishUpload. The staging
 * blob is gone afterwards, whatever the outcome (a storage error while reading aside).
 */
export async function publishStaged(deps: PublishUploadDeps, realmId: string, stagingBlobName: string, limitBytes: number, guard?: PublishGuard): Promise<PublishResult> {
  return await publishWith(deps, realmId, guard, async (builder, beforeFinalize) => {
    let staged;
    try {
      staged = await measureStagedBlob({ container: deps.container, stagingBlobName, limitBytes, sinks: [builder] });
    } catch (error) {
      await discardStaging(deps.container, stagingBlobName);
      throw error;
    }
    return await ingestStaged(staged, { container: deps.container, keys: deps.keys, clock: deps.clock, beforeFinalize });
  });
}

async function publishWith(
  deps: PublishUploadDeps,
  realmId: string,
  guard: PublishGuard | undefined,
  ingest: (builder: ContentInfoBuilder, beforeFinalize: (metadata: NuspecMetadata, staged: StagedUpload) => Promise<void>) => Promise<IngestedPackage>,
): Promise<PublishResult> {
  const builder = new ContentInfoBuilder({ secret: NEUTRAL_SECRET, hasher: deps.hasher });
  let ingested: IngestedPackage;
  try {
    ingested = await ingest(builder, async (metadata, staged) => {
      await deps.catalogue.assertPublishable(realmId, metadata, staged.sha256Hex, staged.size);
      await guard?.(metadata, staged);
    });
  } catch (error) {
    builder.abort();
    throw error;
  }
  try {
    const info = await builder.finish();
    const contentInfo = await deps.contentInfo.save(ingested.sha256Hex, info.v1.bytes, info.v2.bytes);
    return await deps.catalogue.publish(realmId, {
      metadata: ingested.metadata,
      sha256: ingested.sha256Hex,
      size: ingested.size,
      blobName: ingested.contentBlobName,
      contentInfo,
    });
  } catch (error) {
    // Only a blob this upload created is ours to remove; one that was already there belongs to a published version.
    if (ingested.copied) await deps.container.getBlockBlobClient(ingested.contentBlobName).deleteIfExists().catch(() => undefined);
    throw error;
  }
}
