import type { ContentHashes, SegmentHashesV1, SegmentHashesV2 } from "./content-info-hashes.js";
import type { PieceDigests } from "./content-info-hasher.js";
import { PCCRC_V1_BLOCK_SIZE, PCCRC_V1_SEGMENT_SIZE, PCCRC_V2_MAX_SEGMENT_SIZE } from "./pccrc-hashes.js";

interface OpenSegmentV1 {
  readonly offset: number;
  size: number;
  readonly blockHashes: Buffer[];
}

/** Folds piece digests, taken in content order, into V1 segments (32 MiB) and V2 segments (128 KiB). */
export class ContentHashAccumulator {
  private size = 0;
  private readonly v1Segments: SegmentHashesV1[] = [];
  private readonly v2Segments: SegmentHashesV2[] = [];
  private open: OpenSegmentV1 | undefined;

  /** Adds the next piece; every piece but the last must end on a 128 KiB boundary (the builder guarantees it). */
  absorb(piece: PieceDigests): void {
    const blockHashes = Buffer.from(piece.blockHashes.buffer, piece.blockHashes.byteOffset, piece.blockHashes.byteLength);
    const segmentHashes = Buffer.from(piece.segmentHashes.buffer, piece.segmentHashes.byteOffset, piece.segmentHashes.byteLength);
    for (let at = 0, i = 0; at < piece.length; at += PCCRC_V1_BLOCK_SIZE, i += 32) {
      const length = Math.min(PCCRC_V1_BLOCK_SIZE, piece.length - at);
      this.open ??= { offset: this.size + at, size: 0, blockHashes: [] };
      this.open.blockHashes.push(blockHashes.subarray(i, i + 32));
      this.open.size += length;
      if (this.open.size === PCCRC_V1_SEGMENT_SIZE) this.closeSegment();
    }
    for (let at = 0, i = 0; at < piece.length; at += PCCRC_V2_MAX_SEGMENT_SIZE, i += 32) {
      this.v2Segments.push({ size: Math.min(PCCRC_V2_MAX_SEGMENT_SIZE, piece.length - at), hod: segmentHashes.subarray(i, i + 32) });
    }
    this.size += piece.length;
  }

  /** Returns the hashes of everything absorbed; closes the last short V1 segment. */
  result(): ContentHashes {
    this.closeSegment();
    return { size: this.size, v1Segments: this.v1Segments, v2Segments: this.v2Segments };
  }

  private closeSegment(): void {
    if (this.open !== undefined) this.v1Segments.push(this.open);
    this.open = undefined;
  }
}
