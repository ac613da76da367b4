import { Readable } from "node:stream";
import type { BlobClient } from "@azure/storage-blob";
import yauzl from "yauzl";

/** Marks a failure to read the storage (not the archive's fault), so it is never reported as a bad package. */
export class RangeReadError extends Error {
  constructor(cause: unknown) {
    super("reading the package from storage failed", { cause });
    this.name = "RangeReadError";
  }
}

const DEFAULT_WINDOW = 256 * 1024;

/**
 * yauzl random access over a blob through ranged downloads, never the whole blob. yauzl walks the central
 * directory in many tiny reads, so small reads are served from one cached read-ahead window (default 256 KiB);
 * larger reads stream straight from storage.
 */
export class BlobRangeReader extends yauzl.RandomAccessReader {
  private window: { start: number; bytes: Buffer } | undefined;

  constructor(
    private readonly blob: BlobClient,
    private readonly size: number,
    private readonly windowBytes: number = DEFAULT_WINDOW,
  ) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const stop = Math.min(end, this.size);
    const cached = this.window;
    if (cached !== undefined && start >= cached.start && stop <= cached.start + cached.bytes.length) {
      return Readable.from([cached.bytes.subarray(start - cached.start, stop - cached.start)]);
    }
    return Readable.from(end - start <= this.windowBytes ? this.viaWindow(start, stop) : this.streamed(start, stop));
  }

  private async *viaWindow(start: number, stop: number): AsyncGenerator<Buffer> {
    if (stop <= start) return;
    const windowEnd = Math.min(this.size, start + this.windowBytes);
    const parts: Buffer[] = [];
    for await (const chunk of this.download(start, windowEnd)) parts.push(chunk);
    const bytes = Buffer.concat(parts);
    this.window = { start, bytes };
    yield bytes.subarray(0, stop - start);
  }

  private async *streamed(start: number, stop: number): AsyncGenerator<Buffer> {
    if (stop <= start) return;
    yield* this.download(start, stop);
  }

  private async *download(start: number, stop: number): AsyncGenerator<Buffer> {
    try {
      const response = await this.blob.download(start, stop - start);
      const body = response.readableStreamBody;
      if (body === undefined) throw new Error("the download has no body");
      for await (const chunk of body as AsyncIterable<Buffer>) yield chunk;
    } catch (error) {
      throw new RangeReadError(error);
    }
  }
}

/** yauzl random access over bytes already in memory (tests, small archives). */
export class BufferRangeReader extends yauzl.RandomAccessReader {
  constructor(private readonly bytes: Uint8Array) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const from = Math.min(start, this.bytes.byteLength);
    const to = Math.max(from, Math.min(end, this.bytes.byteLength));
    return Readable.from([Buffer.from(this.bytes.buffer, this.bytes.byteOffset + from, to - from)]);
  }
}
