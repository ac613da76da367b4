import { createHash } from "node:crypto";
import type { ContainerClient } from "@azure/storage-blob";
import { AppError } from "../core/errors.js";
import type { StagedUpload, UploadSink } from "./upload-stream.js";

/** What measureStagedBlob reads: a committed blob of the container, its size limit, and the sinks fed alongside. */
export interface MeasureStagedOptions {
  readonly container: ContainerClient;
  readonly stagingBlobName: string;
  readonly limitBytes: number;
  readonly sinks?: readonly UploadSink[];
}

/**
 * Reads a blob that is already staged (an upload session's bytes, copied out of the client's reach) as one
 * stream, computing SHA-256 and size and feeding every chunk to the sinks: the same pass stageUpload makes over a
 * request body, in the stream's bounded memory. Throws AppError too-large past limitBytes (before reading when the
 * blob's length says so), the storage error otherwise; it never deletes the blob (the caller owns it).
 */
export async function measureStagedBlob(options: MeasureStagedOptions): Promise<StagedUpload> {
  const { container, stagingBlobName, limitBytes, sinks = [] } = options;
  const blob = container.getBlobClient(stagingBlobName);
  const tooLarge = new AppError("too-large", `The package exceeds the limit of ${limitBytes} bytes`, { code: "package-too-large" });
  const properties = await blob.getProperties();
  if ((properties.contentLength ?? 0) > limitBytes) throw tooLarge;
  // Pinned to the ETag read above: a blob replaced mid-read fails (412) instead of mixing two uploads.
  const download = await blob.download(0, undefined, { conditions: { ifMatch: properties.etag }, maxRetryRequests: 5 });
  const stream = download.readableStreamBody;
  if (stream === undefined) throw new Error("the blob download has no body stream");
  const hash = createHash("sha256");
  let size = 0;
  for await (const piece of stream) {
    const chunk = piece as Buffer;
    size += chunk.byteLength;
    if (size > limitBytes) {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      throw tooLarge;
    }
    hash.update(chunk);
    for (const sink of sinks) await sink.update(chunk);
  }
  return { stagingBlobName, sha256Hex: hash.digest("hex"), size };
}
