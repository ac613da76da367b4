import type { BranchCacheSecret } from "./branchcache-secret.js";
import { ContentHashAccumulator } from "./content-info-accumulator.js";
import { contentInfoV1FromHashes, contentInfoV2FromHashes, type ContentHashes } from "./content-info-hashes.js";
import { createInlinePieceHasher, type ContentPieceHasher, type PieceSlot } from "./content-info-hasher.js";
import { serializeContentInfoV1, type ContentInfoV1 } from "./pccrc-v1.js";
import { serializeContentInfoV2, type ContentInfoV2 } from "./pccrc-v2.js";

/** What one pass yields: secret-free hashes plus both versions keyed with the realm secret, parsed and serialised. */
export interface ContentInfoResult {
  readonly size: number;
  readonly hashes: ContentHashes;
  readonly v1: { readonly info: ContentInfoV1; readonly bytes: Buffer };
  readonly v2: { readonly info: ContentInfoV2; readonly bytes: Buffer };
}

/** Options of a builder: the realm secret and, for large files, a shared worker pool. */
export interface ContentInfoBuilderOptions {
  readonly secret: BranchCacheSecret;
  /** Default: hashes inline on the calling thread. Pass a createContentHashPool() to use all cores. */
  readonly hasher?: ContentPieceHasher;
}

/**
 * Computes V1 and V2 content information in one pass over bytes fed in any chunking, holding only one piece
 * buffer at a time plus the hashes. Await each update before reusing its chunk.
 */
export class ContentInfoBuilder {
  private readonly hasher: ContentPieceHasher;
  private readonly secret: BranchCacheSecret;
  private readonly accumulator = new ContentHashAccumulator();
  private slot: PieceSlot | undefined;
  private filled = 0;
  private lock: Promise<unknown> = Promise.resolve();
  private absorbed: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private done = false;

  constructor(options: ContentInfoBuilderOptions) {
    this.secret = options.secret;
    this.hasher = options.hasher ?? createInlinePieceHasher();
  }

  /** Adds the next bytes; rejects after finish() or when hashing failed. */
  update(chunk: Uint8Array): Promise<void> {
    return this.serialised(() => this.write(chunk));
  }

  /** Hashes what is left and returns the result; rejects when called twice or when hashing failed. */
  finish(): Promise<ContentInfoResult> {
    return this.serialised(async () => {
      this.close();
      await this.absorbed;
      if (this.failure !== undefined) throw this.failure;
      const hashes = this.accumulator.result();
      const v1 = contentInfoV1FromHashes(hashes, this.secret.v1);
      const v2 = contentInfoV2FromHashes(hashes, this.secret.v2);
      return { size: hashes.size, hashes, v1: { info: v1, bytes: serializeContentInfoV1(v1) }, v2: { info: v2, bytes: serializeContentInfoV2(v2) } };
    });
  }

  /** Gives back the piece buffer of an abandoned build; later calls reject. */
  abort(): void {
    this.done = true;
    this.failure ??= new Error("content information build aborted");
    if (this.slot !== undefined) this.hasher.release(this.slot);
    this.slot = undefined;
  }

  private serialised<T>(step: () => Promise<T>): Promise<T> {
    const run = this.lock.then(step);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async write(chunk: Uint8Array): Promise<void> {
    if (this.done) throw this.failure ?? new Error("content information already finished");
    if (this.failure !== undefined) throw this.failure;
    const size = this.hasher.pieceSize;
    for (let at = 0; at < chunk.length; ) {
      if (this.slot === undefined) {
        this.slot = await this.hasher.acquire();
        this.filled = 0;
        if (this.done) return this.abort();
      }
      const n = Math.min(chunk.length - at, size - this.filled);
      this.slot.bytes.set(n === chunk.length ? chunk : chunk.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled === size) this.submit(this.slot);
    }
  }

  private close(): void {
    if (this.done) throw this.failure ?? new Error("content information already finished");
    this.done = true;
    if (this.slot !== undefined && this.filled > 0) this.submit(this.slot);
    else if (this.slot !== undefined) this.hasher.release(this.slot);
    this.slot = undefined;
  }

  private submit(slot: PieceSlot): void {
    const digests = this.hasher.hash(slot, this.filled);
    this.slot = undefined;
    // Digests arrive out of order from workers; the chain absorbs them in content order and never rejects.
    digests.catch(() => undefined);
    this.absorbed = this.absorbed
      .then(() => digests)
      .then((d) => this.accumulator.absorb(d))
      .catch((e: unknown) => {
        this.failure ??= e instanceof Error ? e : new Error(String(e));
      });
  }
}
