import { validationError } from "../core/errors.js";
import { PCCRC_V2_HASH_TRUNCATED_SHA512 } from "./pccrc-hashes.js";

/** One V2 segment entry: its size, HoD and Kp. */
export interface SegmentV2 {
  readonly size: number;
  readonly hod: Buffer;
  readonly kp: Buffer;
}

/** A V2 chunk of type 0 (the only type defined): consecutive segments. */
export interface ChunkV2 {
  readonly segments: readonly SegmentV2[];
}

/** [MS-PCCRC] 2.4 Content Information V2.0 with bHashAlgo truncated SHA-512 (0x04). */
export interface ContentInfoV2 {
  readonly startInContent: number;
  readonly indexOfFirstSegment: number;
  readonly offsetInFirstSegment: number;
  /** 0 for a whole-file answer, as IIS writes it. */
  readonly lengthOfRange: number;
  readonly chunks: readonly ChunkV2[];
}

const HEADER = 31;
const CHUNK_HEADER = 5;
const ENTRY = 4 + 32 + 32;

const invalid = (why: string) => validationError(`Invalid V2 content information: ${why}`, "invalid-content-info");

const u64 = (buf: Buffer, at: number): number => {
  const v = buf.readBigUInt64BE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid("64-bit field too large");
  return Number(v);
};

/** Returns the big-endian V2 blob; throws validation when a hash is not 32 bytes or a chunk is empty. */
export function serializeContentInfoV2(info: ContentInfoV2): Buffer {
  const entries = info.chunks.reduce((n, c) => n + c.segments.length, 0);
  const out = Buffer.alloc(HEADER + info.chunks.length * CHUNK_HEADER + entries * ENTRY);
  out.writeUInt8(0, 0);
  out.writeUInt8(2, 1);
  out.writeUInt8(PCCRC_V2_HASH_TRUNCATED_SHA512, 2);
  out.writeBigUInt64BE(BigInt(info.startInContent), 3);
  out.writeBigUInt64BE(BigInt(info.indexOfFirstSegment), 11);
  out.writeUInt32BE(info.offsetInFirstSegment, 19);
  out.writeBigUInt64BE(BigInt(info.lengthOfRange), 23);
  let at = HEADER;
  for (const chunk of info.chunks) {
    if (chunk.segments.length === 0) throw invalid("empty chunk");
    out.writeUInt8(0, at);
    out.writeUInt32BE(chunk.segments.length * ENTRY, at + 1);
    at += CHUNK_HEADER;
    for (const s of chunk.segments) {
      if (s.hod.length !== 32 || s.kp.length !== 32) throw invalid("HoD and Kp must be 32 bytes");
      out.writeUInt32BE(s.size, at);
      s.hod.copy(out, at + 4);
      s.kp.copy(out, at + 36);
      at += ENTRY;
    }
  }
  return out;
}

/** Parses a V2 blob; throws validation on a wrong version or hash, an unknown chunk type, truncation or a ragged chunk. */
export function parseContentInfoV2(blob: Uint8Array): ContentInfoV2 {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (buf.length < HEADER) throw invalid("shorter than its header");
  if (buf.readUInt8(0) !== 0 || buf.readUInt8(1) !== 2) throw invalid("version is not 2.0");
  if (buf.readUInt8(2) !== PCCRC_V2_HASH_TRUNCATED_SHA512) throw invalid("hash algorithm is not truncated SHA-512");
  const header = {
    startInContent: u64(buf, 3),
    indexOfFirstSegment: u64(buf, 11),
    offsetInFirstSegment: buf.readUInt32BE(19),
    lengthOfRange: u64(buf, 23),
  };
  const chunks: ChunkV2[] = [];
  let at = HEADER;
  while (at < buf.length) {
    if (at + CHUNK_HEADER > buf.length) throw invalid("truncated chunk header");
    if (buf.readUInt8(at) !== 0) throw invalid("unknown chunk type");
    const length = buf.readUInt32BE(at + 1);
    at += CHUNK_HEADER;
    if (length % ENTRY !== 0 || at + length > buf.length) throw invalid("chunk length is not a whole number of segments");
    const segments: SegmentV2[] = [];
    for (const end = at + length; at < end; at += ENTRY) {
      segments.push({
        size: buf.readUInt32BE(at),
        hod: Buffer.from(buf.subarray(at + 4, at + 36)),
        kp: Buffer.from(buf.subarray(at + 36, at + 68)),
      });
    }
    chunks.push({ segments });
  }
  return { ...header, chunks };
}
