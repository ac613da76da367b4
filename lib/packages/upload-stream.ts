import { createHash, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import type { ContainerClient } from "@azure/storage-blob";
import { AppError } from "../core/errors.js";
import { discardStaging } from "./blob-finalize.js";
import { chunksOf, type UploadBody } from "./upload-body.js";

/** Receives every chunk of an upload in order (e.g. the BranchCache content-information builder); may be async. */
export interface UploadSink {
  update(chunk: Uint8Array): void | Promise<void>;
}

/** What stageUpload needs: the body, where to stage it, the size limit, and the sinks fed alongside. */
export interface StageUploadOptions {
  readonly body: UploadBody;
  readonly container: ContainerClient;
  readonly limitBytes: number;
  readonly sinks?: readonly UploadSink[];
  /** Content-Length when the client sent one; refused at once when over the limit. */
  readonly declaredLength?: number;
  /** Size of each block buffer; default 4 MiB. */
  readonly bufferBytes?: number;
  /** Buffers (and parallel block uploads) in flight; default 4. Memory stays below bufferBytes x (maxBuffers + 1). */
  readonly maxBuffers?: number;
}

/** A body safely written to a staging blob, with its digest and size. */
export interface StagedUpload {
  readonly stagingBlobName: string;
  readonly sha256Hex: string;
  readonly size: number;
}

export const STAGING_PREFIX = "staging/";
const MIB = 1024 * 1024;

const tooLarge = (limitBytes: number): AppError =>
  new AppError("too-large", `The package exceeds the limit of ${limitBytes} bytes`, { code: "package-too-large" });

/**
 * Streams the body into the block blob `staging/<uuid>` while computing SHA-256 and size and feeding each chunk
 * to the sinks, in bounded memory. Throws AppError("too-large") past limitBytes; on any failure the staging blob
 * is deleted before the error is rethrown (a sink's or the storage's error unchanged).
 */
export async function stageUpload(options: StageUploadOptions): Promise<StagedUpload> {
  const { body, container, limitBytes, sinks = [] } = options;
  if (options.declaredLength !== undefined && options.declaredLength > limitBytes) throw tooLarge(limitBytes);
  const stagingBlobName = `${STAGING_PREFIX}${randomUUID()}`;
  const blob = container.getBlockBlobClient(stagingBlobName);
  const hash = createHash("sha256");
  let size = 0;
  // The readable reports our own errors through the uploader, which may wrap them; keep the original.
  let failure: unknown;
  const abort = new AbortController();

  async function* metered(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of chunksOf(body)) {
        size += chunk.byteLength;
        if (size > limitBytes) throw tooLarge(limitBytes);
        hash.update(chunk);
        for (const sink of sinks) await sink.update(chunk);
        yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      }
    } catch (error) {
      failure ??= error;
      throw error;
    }
  }

  try {
    await blob.uploadStream(Readable.from(metered()), options.bufferBytes ?? 4 * MIB, options.maxBuffers ?? 4, {
      abortSignal: abort.signal,
      blobHTTPHeaders: { blobContentType: "application/octet-stream" },
    });
  } catch (error) {
    abort.abort();
    await discardStaging(container, stagingBlobName);
    throw failure ?? error;
  }
  return { stagingBlobName, sha256Hex: hash.digest("hex"), size };
}
