import { createHash, createHmac } from "node:crypto";

/** [MS-PCCRC] segment-id constant C2: "MS_P2P_CACHING" in UTF-16LE plus a UTF-16 NUL (30 bytes; the spec's "ASCII" is wrong). */
export const PCCRC_C2: Buffer = Buffer.from("MS_P2P_CACHING\0", "utf16le");

/** V1 dwHashAlgo for SHA-256, the only one Windows 7 accepts. */
export const PCCRC_V1_HASH_SHA256 = 0x800c;
/** V2 bHashAlgo for truncated SHA-512 (0x01 of the 2012 draft is obsolete). */
export const PCCRC_V2_HASH_TRUNCATED_SHA512 = 0x04;
/** V1 block size: 64 KiB. */
export const PCCRC_V1_BLOCK_SIZE = 65_536;
/** V1 segment size: 32 MiB (the last segment may be shorter). */
export const PCCRC_V1_SEGMENT_SIZE = 32 * 1024 * 1024;
/** Largest V2 segment: 128 KiB; we cut fixed segments of exactly this size. */
export const PCCRC_V2_MAX_SEGMENT_SIZE = 131_072;

/** Returns T(x): the first 32 bytes of ordinary SHA-512 (not SHA-512/256). */
export function truncatedSha512(data: Uint8Array): Buffer {
  return createHash("sha512").update(data).digest().subarray(0, 32);
}

/** Returns the V1 HoD: SHA-256 over the segment's block hashes, concatenated in order. */
export function hodV1(blockHashes: readonly Uint8Array[]): Buffer {
  const h = createHash("sha256");
  for (const b of blockHashes) h.update(b);
  return h.digest();
}

/** Returns the V1 segment secret Kp = HMAC-SHA-256(Ks, HoD) (the spec's "Hash(HoD + Ks)" is wrong). */
export function kpV1(ks: Uint8Array, hod: Uint8Array): Buffer {
  return createHmac("sha256", ks).update(hod).digest();
}

/** Returns the V1 segment id HoHoDk = HMAC-SHA-256(Kp, HoD || C2). */
export function hohodkV1(kp: Uint8Array, hod: Uint8Array): Buffer {
  return createHmac("sha256", kp).update(hod).update(PCCRC_C2).digest();
}

/** Returns the V2 segment secret Kp = first 32 bytes of HMAC-SHA-512(Ks32, HoD). */
export function kpV2(ks32: Uint8Array, hod: Uint8Array): Buffer {
  return createHmac("sha512", ks32).update(hod).digest().subarray(0, 32);
}

/** Returns the V2 segment id HoHoDk = first 32 bytes of HMAC-SHA-512(Kp, HoD || C2). */
export function hohodkV2(kp: Uint8Array, hod: Uint8Array): Buffer {
  return createHmac("sha512", kp).update(hod).update(PCCRC_C2).digest().subarray(0, 32);
}
