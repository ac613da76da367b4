import { createHash } from "node:crypto";
import { PCCRC_V1_BLOCK_SIZE, PCCRC_V2_MAX_SEGMENT_SIZE } from "./pccrc-hashes.js";

/** A buffer the builder fills with consecutive content bytes before handing it to a hasher. */
export interface PieceSlot {
  readonly bytes: Uint8Array;
}

/**
 * The hashes of one piece (a run of content starting on a 128 KiB boundary): the SHA-256 of every 64 KiB block,
 * then T = SHA-512[0:32] of every 128 KiB V2 segment, 32 bytes each, the last block and segment possibly short.
 */
export interface PieceDigests {
  readonly length: number;
  readonly blockHashes: Uint8Array;
  readonly segmentHashes: Uint8Array;
}

/** Hashes pieces, inline or on worker threads; slots bound the memory and give back-pressure. */
export interface ContentPieceHasher {
  /** Bytes per slot: a multiple of 128 KiB. */
  readonly pieceSize: number;
  /** Resolves with a free slot, waiting while all are in use. */
  acquire(): Promise<PieceSlot>;
  /** Hashes the first `length` bytes of an acquired slot and frees it; rejects when a worker fails. */
  hash(slot: PieceSlot, length: number): Promise<PieceDigests>;
  /** Frees an acquired slot without hashing it (an abandoned build). */
  release(slot: PieceSlot): void;
}

/** Default piece size: 1 MiB, 8 V2 segments and 16 V1 blocks. */
export const DEFAULT_PIECE_SIZE = 1024 * 1024;

/** Returns block hashes then segment hashes of `bytes[0, length)`; the worker pool runs the same loop in its own source. */
export function digestPiece(bytes: Uint8Array, length: number): PieceDigests {
  const blocks = Math.ceil(length / PCCRC_V1_BLOCK_SIZE);
  const segments = Math.ceil(length / PCCRC_V2_MAX_SEGMENT_SIZE);
  const blockHashes = Buffer.allocUnsafe(blocks * 32);
  const segmentHashes = Buffer.allocUnsafe(segments * 32);
  for (let s = 0; s < segments; s++) {
    // Both hashes of one 128 KiB stretch while it is still in cache.
    const start = s * PCCRC_V2_MAX_SEGMENT_SIZE;
    const end = Math.min(length, start + PCCRC_V2_MAX_SEGMENT_SIZE);
    for (let b = start; b < end; b += PCCRC_V1_BLOCK_SIZE) {
      createHash("sha256").update(bytes.subarray(b, Math.min(end, b + PCCRC_V1_BLOCK_SIZE))).digest().copy(blockHashes, (b / PCCRC_V1_BLOCK_SIZE) * 32);
    }
    createHash("sha512").update(bytes.subarray(start, end)).digest().copy(segmentHashes, s * 32, 0, 32);
  }
  return { length, blockHashes, segmentHashes };
}

/** A fixed set of slots handed out first come, first served. */
export class SlotPool<T extends PieceSlot> {
  private readonly free: T[];
  private readonly waiters: { resolve: (slot: T) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;

  constructor(slots: readonly T[]) {
    this.free = [...slots];
  }

  /** Resolves with a free slot, waiting while none is free; rejects once the pool has failed. */
  acquire(): Promise<T> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const slot = this.free.pop();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Gives a slot back, to the longest waiter first. */
  release(slot: T): void {
    const waiter = this.waiters.shift();
    if (waiter === undefined) this.free.push(slot);
    else waiter.resolve(slot);
  }

  /** Rejects every waiter and every later acquire with the error. */
  fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}

/** Returns a hasher that hashes on the calling thread (small files, tests, single-core hosts). */
export function createInlinePieceHasher(pieceSize = DEFAULT_PIECE_SIZE): ContentPieceHasher {
  assertPieceSize(pieceSize);
  const slots = new SlotPool<PieceSlot>([{ bytes: Buffer.allocUnsafe(pieceSize) }]);
  return {
    pieceSize,
    acquire: () => slots.acquire(),
    hash(slot, length) {
      try {
        return Promise.resolve(digestPiece(slot.bytes, length));
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      } finally {
        slots.release(slot);
      }
    },
    release: (slot) => slots.release(slot),
  };
}

/** Throws a RangeError unless the size is a positive multiple of 128 KiB (pieces must not split a V2 segment). */
export function assertPieceSize(pieceSize: number): void {
  if (!Number.isInteger(pieceSize) || pieceSize <= 0 || pieceSize % PCCRC_V2_MAX_SEGMENT_SIZE !== 0) {
    throw new RangeError(`piece size must be a positive multiple of ${PCCRC_V2_MAX_SEGMENT_SIZE}`);
  }
}
