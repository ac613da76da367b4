import type { Clock } from "../core/clock.js";
import { discardStaging, finalizeStaging } from "./blob-finalize.js";
import type { SasSigningKeys } from "./blob-sas.js";
import type { NupkgLimits } from "./nupkg-limits.js";
import { readStagedNupkg } from "./nupkg-reader.js";
import type { NuspecMetadata } from "./nuspec-metadata.js";
import { parseNuspec } from "./nuspec-parser.js";
import { stageUpload, type StagedUpload, type StageUploadOptions } from "./upload-stream.js";

/** What ingestNupkg needs beyond stageUpload's options. */
export interface IngestOptions extends StageUploadOptions {
  readonly keys: SasSigningKeys;
  readonly clock?: Clock;
  readonly nupkgLimits?: NupkgLimits;
  /**
   * Runs after validation, before the content blob is written (e.g. the catalogue refusing a version it already
   * has); throwing discards the staging blob and the error propagates.
   */
  readonly beforeFinalize?: (metadata: NuspecMetadata, staged: StagedUpload) => Promise<void>;
}

/** A package stored under its content address, with the metadata read from it. */
export interface IngestedPackage {
  readonly metadata: NuspecMetadata;
  readonly sha256Hex: string;
  readonly size: number;
  /** `sha256/<hex>` in the container. */
  readonly contentBlobName: string;
  /** False when the same bytes were already stored. */
  readonly copied: boolean;
}

/** What ingestStaged needs: where the staged blob lives, how to sign the copy, and the hook before it is stored. */
export type IngestStagedOptions = Pick<IngestOptions, "container" | "keys" | "clock" | "nupkgLimits" | "beforeFinalize">;

/**
 * Stages the body, checks the archive, parses its nuspec, and moves it to `sha256/<hex>`. Throws stageUpload's
 * too-large, the reader's unsafe-package / invalid-package, the parser's invalid-nuspec, or beforeFinalize's error;
 * whatever fails, no staging blob is left behind.
 */
export async function ingestNupkg(options: IngestOptions): Promise<IngestedPackage> {
  return await ingestStaged(await stageUpload(options), options);
}

/**
 * The part of ingestNupkg after the bytes are staged (by a request body or by an upload session's blob):
 * checks, parses, runs beforeFinalize and moves the blob to its content address. The staging blob is gone afterwards.
 */
export async function ingestStaged(staged: StagedUpload, options: IngestStagedOptions): Promise<IngestedPackage> {
  const { container } = options;
  let metadata: NuspecMetadata;
  try {
    const inspection = await readStagedNupkg(container.getBlobClient(staged.stagingBlobName), staged.size, options.nupkgLimits);
    metadata = parseNuspec(inspection.nuspecXml);
    await options.beforeFinalize?.(metadata, staged);
  } catch (error) {
    await discardStaging(container, staged.stagingBlobName);
    throw error;
  }
  const finalized = await finalizeStaging({
    container,
    stagingBlobName: staged.stagingBlobName,
    sha256Hex: staged.sha256Hex,
    keys: options.keys,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  return { metadata, sha256Hex: staged.sha256Hex, size: staged.size, ...finalized };
}
