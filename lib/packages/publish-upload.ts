import type { ContainerClient } from "@azure/storage-blob";
import type { Clock } from "../core/clock.js";
import { ContentInfoBuilder } from "../content/content-info-builder.js";
import { NEUTRAL_SECRET, type ContentInfoStore } from "../content/content-info-store.js";
import type { ContentPieceHasher } from "../content/content-info-hasher.js";
import type { SasSigningKeys } from "./blob-sas.js";
import type { CatalogueService } from "./catalogue-service.js";
import type { PublishResult } from "./catalogue-record.js";
import { ingestNupkg } from "./upload-ingest.js";
import type { UploadBody } from "./upload-body.js";

export interface PublishUploadDeps {
  catalogue: CatalogueService;
  container: ContainerClient;
  contentInfo: ContentInfoStore;
  keys: SasSigningKeys;
  clock: Clock;
  hasher: ContentPieceHasher;
}

/**
 * Publishes a .nupkg body: streamed to a staging blob while its SHA-256 and its BranchCache content
 * information (V1 and V2, one pass) are computed, checked, moved to its content address and recorded.
 * Other bytes under an existing id and version are refused before the blob is written (409); the same
 * bytes again change nothing. Throws the pipeline's 400/413 AppErrors, leaving no blob or row behind (a content
 * blob this upload created is removed again when recording it fails).
 */
export async function publishUpload(deps: PublishUploadDeps, realmId: string, body: UploadBody, limitBytes: number, declaredLength: number | undefined): Promise<PublishResult> {
  const builder = new ContentInfoBuilder({ secret: NEUTRAL_SECRET, hasher: deps.hasher });
  let ingested;
  try {
    ingested = await ingestNupkg({
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
      beforeFinalize: (metadata, staged) => deps.catalogue.assertPublishable(realmId, metadata, staged.sha256Hex, staged.size),
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
