import { validationError } from "../core/errors.js";
import { PCCRC_V1_HASH_SHA256 } from "./pccrc-hashes.js";

/** One V1 segment: its description plus its block hashes. */
export interface SegmentV1 {
  readonly offsetInContent: number;
  readonly size: number;
  readonly blockSize: number;
  readonly hod: Buffer;
  readonly kp: Buffer;
  readonly blockHashes: readonly Buffer[];
}

/** [MS-PCCRC] 2.3 Content Information V1 with dwHashAlgo SHA-256 (0x800C). */
export interface ContentInfoV1 {
  readonly offsetInFirstSegment: number;
  /** 0 for a whole-file answer, as IIS writes it. */
  readonly readBytesInLastSegment: number;
  readonly segments: readonly SegmentV1[];
}

const HEADER = 18;
const DESCRIPTION = 16 + 32 + 32;
const HASH = 32;

const invalid = (why: string) => validationError(`Invalid V1 content information: ${why}`, "invalid-content-info");

/** Returns the little-endian V1 blob; throws validation when a hash is not 32 bytes or a count does not fit. */
export function serializeContentInfoV1(info: ContentInfoV1): Buffer {
  const blockCount = info.segments.reduce((n, s) => n + s.blockHashes.length, 0);
  const out = Buffer.alloc(HEADER + info.segments.length * (DESCRIPTION + 4) + blockCount * HASH);
  out.writeUInt16LE(0x0100, 0);
  out.writeUInt32LE(PCCRC_V1_HASH_SHA256, 2);
  out.writeUInt32LE(info.offsetInFirstSegment, 6);
  out.writeUInt32LE(info.readBytesInLastSegment, 10);
  out.writeUInt32LE(info.segments.length, 14);
  let at = HEADER;
  for (const s of info.segments) {
    if (s.hod.length !== HASH || s.kp.length !== HASH) throw invalid("HoD and Kp must be 32 bytes");
    out.writeBigUInt64LE(BigInt(s.offsetInContent), at);
    out.writeUInt32LE(s.size, at + 8);
    out.writeUInt32LE(s.blockSize, at + 12);
    s.hod.copy(out, at + 16);
    s.kp.copy(out, at + 48);
    at += DESCRIPTION;
  }
  for (const s of info.segments) {
    out.writeUInt32LE(s.blockHashes.length, at);
    at += 4;
    for (const b of s.blockHashes) {
      if (b.length !== HASH) throw invalid("block hashes must be 32 bytes");
      b.copy(out, at);
      at += HASH;
    }
  }
  return out;
}

/** Parses a V1 blob; throws validation on a wrong version, an unsupported hash, truncation or trailing bytes. */
export function parseContentInfoV1(blob: Uint8Array): ContentInfoV1 {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (buf.length < HEADER) throw invalid("shorter than its header");
  if (buf.readUInt16LE(0) !== 0x0100) throw invalid("version is not 1.0");
  if (buf.readUInt32LE(2) !== PCCRC_V1_HASH_SHA256) throw invalid("hash algorithm is not SHA-256");
  const offsetInFirstSegment = buf.readUInt32LE(6);
  const readBytesInLastSegment = buf.readUInt32LE(10);
  const count = buf.readUInt32LE(14);
  if (HEADER + count * (DESCRIPTION + 4) > buf.length) throw invalid("truncated segment descriptions");
  const descriptions: Omit<SegmentV1, "blockHashes">[] = [];
  let at = HEADER;
  for (let i = 0; i < count; i++, at += DESCRIPTION) {
    const offset = buf.readBigUInt64LE(at);
    if (offset > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid("segment offset too large");
    descriptions.push({
      offsetInContent: Number(offset),
      size: buf.readUInt32LE(at + 8),
      blockSize: buf.readUInt32LE(at + 12),
      hod: Buffer.from(buf.subarray(at + 16, at + 48)),
      kp: Buffer.from(buf.subarray(at + 48, at + 80)),
    });
  }
  const segments: SegmentV1[] = [];
  for (const d of descriptions) {
    if (at + 4 > buf.length) throw invalid("truncated block count");
    const blocks = buf.readUInt32LE(at);
    at += 4;
    if (at + blocks * HASH > buf.length) throw invalid("truncated block hashes");
    const blockHashes: Buffer[] = [];
    for (let i = 0; i < blocks; i++, at += HASH) blockHashes.push(Buffer.from(buf.subarray(at, at + HASH)));
    segments.push({ ...d, blockHashes });
  }
  if (at !== buf.length) throw invalid("trailing bytes");
  return { offsetInFirstSegment, readBytesInLastSegment, segments };
}
