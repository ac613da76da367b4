import { hodV1, kpV1, kpV2, PCCRC_V1_BLOCK_SIZE } from "./pccrc-hashes.js";
import type { ContentInfoV1 } from "./pccrc-v1.js";
import type { ContentInfoV2 } from "./pccrc-v2.js";

/** A V1 segment before keying: where it lies and its 64 KiB block hashes. */
export interface SegmentHashesV1 {
  readonly offset: number;
  readonly size: number;
  readonly blockHashes: readonly Buffer[];
}

/** A V2 segment before keying: its size and HoD = T(segment bytes). */
export interface SegmentHashesV2 {
  readonly size: number;
  readonly hod: Buffer;
}

/**
 * The secret-free result of one pass over a file: everything needed to answer PeerDist for any realm secret,
 * so a changed passphrase needs no re-read of the bytes.
 */
export interface ContentHashes {
  readonly size: number;
  readonly v1Segments: readonly SegmentHashesV1[];
  readonly v2Segments: readonly SegmentHashesV2[];
}

/** Returns whole-file V1 content information keyed with Ks (dwReadBytesInLastSegment 0, as IIS writes). */
export function contentInfoV1FromHashes(hashes: ContentHashes, ks: Uint8Array): ContentInfoV1 {
  return {
    offsetInFirstSegment: 0,
    readBytesInLastSegment: 0,
    segments: hashes.v1Segments.map((s) => {
      const hod = hodV1(s.blockHashes);
      return { offsetInContent: s.offset, size: s.size, blockSize: PCCRC_V1_BLOCK_SIZE, hod, kp: kpV1(ks, hod), blockHashes: s.blockHashes };
    }),
  };
}

/** Returns whole-file V2 content information keyed with Ks32, all segments in one chunk (none for an empty file). */
export function contentInfoV2FromHashes(hashes: ContentHashes, ks32: Uint8Array): ContentInfoV2 {
  const segments = hashes.v2Segments.map((s) => ({ size: s.size, hod: s.hod, kp: kpV2(ks32, s.hod) }));
  return {
    startInContent: 0,
    indexOfFirstSegment: 0,
    offsetInFirstSegment: 0,
    lengthOfRange: 0,
    chunks: segments.length === 0 ? [] : [{ segments }],
  };
}

/**
 * Returns the secret-free hashes of whole-file content information (as parsed from stored blobs), so blobs kept
 * under one secret can be re-keyed for another realm or a changed passphrase without reading the file again.
 * Throws RangeError when the information is partial (a range answer) rather than whole-file.
 */
export function contentHashesFromInfo(v1: ContentInfoV1, v2: ContentInfoV2): ContentHashes {
  if (v1.offsetInFirstSegment !== 0 || v2.startInContent !== 0 || v2.indexOfFirstSegment !== 0 || v2.offsetInFirstSegment !== 0) {
    throw new RangeError("content information does not start at the beginning of the content");
  }
  const v1Segments = v1.segments.map((s) => ({ offset: s.offsetInContent, size: s.size, blockHashes: s.blockHashes }));
  const v2Segments = v2.chunks.flatMap((c) => c.segments.map((s) => ({ size: s.size, hod: s.hod })));
  const size = v1Segments.reduce((n, s) => n + s.size, 0);
  if (v2Segments.reduce((n, s) => n + s.size, 0) !== size) throw new RangeError("V1 and V2 describe different lengths");
  return { size, v1Segments, v2Segments };
}
