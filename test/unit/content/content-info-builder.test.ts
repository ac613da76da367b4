import { createHash, createHmac } from "node:crypto";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { deriveBranchCacheSecret, type BranchCacheSecret } from "../../../lib/content/branchcache-secret.js";
import { ContentInfoBuilder } from "../../../lib/content/content-info-builder.js";
import { createContentHashPool } from "../../../lib/content/content-info-hash-pool.js";
import { contentHashesFromInfo, contentInfoV1FromHashes, contentInfoV2FromHashes } from "../../../lib/content/content-info-hashes.js";
import { createInlinePieceHasher, type ContentPieceHasher } from "../../../lib/content/content-info-hasher.js";
import { contentInfoSink, contentInfoTap } from "../../../lib/content/content-info-streams.js";
import { parseContentInfoV1, serializeContentInfoV1 } from "../../../lib/content/pccrc-v1.js";
import { parseContentInfoV2, serializeContentInfoV2 } from "../../../lib/content/pccrc-v2.js";

const KiB = 1024;
const MiB = 1024 * KiB;
const secret = deriveBranchCacheSecret("when in doubt, hash it");
const pool = createContentHashPool({ workers: 2, pieceSize: 256 * KiB });
afterAll(() => pool.close());

/** Deterministic pseudo-random bytes (xorshift32), so fast-check can shrink sizes and seeds. */
function bytesFrom(seed: number, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed | 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const sha = (alg: string, ...parts: Uint8Array[]): Buffer => parts.reduce((h, p) => h.update(p), createHash(alg)).digest();
const hmac = (alg: string, key: Uint8Array, ...parts: Uint8Array[]): Buffer => parts.reduce((h, p) => h.update(p), createHmac(alg, key)).digest();

/** The whole-buffer computation straight from BRANCHCACHE.md, independent of the builder. */
function reference(data: Buffer, s: BranchCacheSecret): { v1: Buffer; v2: Buffer } {
  const v1Segments = [];
  for (let off = 0; off < data.length; off += 32 * MiB) {
    const seg = data.subarray(off, off + 32 * MiB);
    const blockHashes = [];
    for (let b = 0; b < seg.length; b += 64 * KiB) blockHashes.push(sha("sha256", seg.subarray(b, b + 64 * KiB)));
    const hod = sha("sha256", ...blockHashes);
    v1Segments.push({ offsetInContent: off, size: seg.length, blockSize: 65536, hod, kp: hmac("sha256", s.v1, hod), blockHashes });
  }
  const v2Segments = [];
  for (let off = 0; off < data.length; off += 128 * KiB) {
    const seg = data.subarray(off, off + 128 * KiB);
    const hod = sha("sha512", seg).subarray(0, 32);
    v2Segments.push({ size: seg.length, hod, kp: hmac("sha512", s.v2, hod).subarray(0, 32) });
  }
  return {
    v1: serializeContentInfoV1({ offsetInFirstSegment: 0, readBytesInLastSegment: 0, segments: v1Segments }),
    v2: serializeContentInfoV2({
      startInContent: 0,
      indexOfFirstSegment: 0,
      offsetInFirstSegment: 0,
      lengthOfRange: 0,
      chunks: v2Segments.length === 0 ? [] : [{ segments: v2Segments }],
    }),
  };
}

/** Feeds data cut at the given lengths (cycled) and returns the builder's result. */
async function build(data: Buffer, cuts: readonly number[], hasher?: ContentPieceHasher) {
  const builder = new ContentInfoBuilder(hasher === undefined ? { secret } : { secret, hasher });
  for (let at = 0, i = 0; at < data.length; i++) {
    const n = cuts.length === 0 ? data.length : (cuts[i % cuts.length] ?? 1);
    await builder.update(data.subarray(at, at + n));
    at += n;
  }
  return builder.finish();
}

describe("content information builder", () => {
  it("when the same bytes are fed in any chunking, then V1 and V2 equal the whole-buffer reference", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 600 * KiB }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.array(fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 300 * KiB })), { minLength: 1, maxLength: 8 }),
        fc.constantFrom(128 * KiB, 1 * MiB),
        async (size, seed, cuts, pieceSize) => {
          const data = bytesFrom(seed, size);
          const want = reference(data, secret);
          const got = await build(data, cuts, createInlinePieceHasher(pieceSize));
          expect(got.size).toBe(size);
          expect(got.v1.bytes.equals(want.v1)).toBe(true);
          expect(got.v2.bytes.equals(want.v2)).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("when chunks go through the worker pool in any chunking, then the result equals the inline one byte for byte", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 * MiB }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.array(fc.integer({ min: 1, max: 700 * KiB }), { minLength: 1, maxLength: 5 }),
        async (size, seed, cuts) => {
          const data = bytesFrom(seed, size);
          const inline = await build(data, []);
          const pooled = await build(data, cuts, pool);
          expect(pooled.v1.bytes.equals(inline.v1.bytes)).toBe(true);
          expect(pooled.v2.bytes.equals(inline.v2.bytes)).toBe(true);
        },
      ),
      { numRuns: 10 },
    );
  });

  it("when content passes 32 MiB, then V1 starts a second segment at offset 32 MiB and V2 keeps 128 KiB segments", async () => {
    const data = bytesFrom(7, 32 * MiB + 100 * KiB + 3);
    const got = await build(data, [MiB + 7], pool);
    const want = reference(data, secret);
    expect(got.v1.bytes.equals(want.v1)).toBe(true);
    expect(got.v2.bytes.equals(want.v2)).toBe(true);
    const v1 = parseContentInfoV1(got.v1.bytes);
    expect(v1.segments.map((s) => [s.offsetInContent, s.size, s.blockHashes.length])).toEqual([
      [0, 32 * MiB, 512],
      [32 * MiB, 100 * KiB + 3, 2],
    ]);
    expect(v1.readBytesInLastSegment).toBe(0);
    const v2 = parseContentInfoV2(got.v2.bytes);
    expect(v2.lengthOfRange).toBe(0);
    expect(v2.chunks[0]?.segments.length).toBe(257);
    expect(v2.chunks[0]?.segments.at(-1)?.size).toBe(100 * KiB + 3);
    expect(got.v1.bytes.length).toBe(18 + 2 * (16 + 64) + 4 * 2 + 514 * 32);
    expect(got.v2.bytes.length).toBe(36 + 68 * 257);
  });

  it("when content is empty, then V1 has no segments and V2 no chunks", async () => {
    const got = await build(Buffer.alloc(0), []);
    expect(got.v1.bytes.length).toBe(18);
    expect(got.v2.bytes.length).toBe(31);
    expect(got.hashes.v1Segments).toEqual([]);
  });

  it("when the result is parsed, then it matches the returned info and the secret-free hashes", async () => {
    const data = bytesFrom(99, 99_710);
    const got = await build(data, [4096]);
    expect(parseContentInfoV1(got.v1.bytes)).toEqual(got.v1.info);
    expect(parseContentInfoV2(got.v2.bytes)).toEqual(got.v2.info);
    expect(got.hashes.v2Segments.map((s) => s.hod)).toEqual(got.v2.info.chunks[0]?.segments.map((s) => s.hod));
  });

  it("when stored blobs are re-keyed for another passphrase, then they equal a build with that passphrase", async () => {
    const data = bytesFrom(5, 400 * KiB + 1);
    const stored = await build(data, [MiB]);
    const other = deriveBranchCacheSecret("another realm");
    const hashes = contentHashesFromInfo(parseContentInfoV1(stored.v1.bytes), parseContentInfoV2(stored.v2.bytes));
    const want = reference(data, other);
    expect(serializeContentInfoV1(contentInfoV1FromHashes(hashes, other.v1)).equals(want.v1)).toBe(true);
    expect(serializeContentInfoV2(contentInfoV2FromHashes(hashes, other.v2)).equals(want.v2)).toBe(true);
    expect(want.v1.equals(stored.v1.bytes)).toBe(false);
  });

  it("when finished, then further updates and a second finish reject", async () => {
    const builder = new ContentInfoBuilder({ secret });
    await builder.update(Buffer.from("abc"));
    await builder.finish();
    await expect(builder.update(Buffer.from("d"))).rejects.toThrow(/finished/);
    await expect(builder.finish()).rejects.toThrow(/finished/);
  });

  it("when the caller overwrites its chunk after update resolves, then the result is unaffected", async () => {
    const data = bytesFrom(3, 300 * KiB);
    const builder = new ContentInfoBuilder({ secret, hasher: pool });
    const scratch = Buffer.alloc(10 * KiB);
    for (let at = 0; at < data.length; at += scratch.length) {
      data.copy(scratch, 0, at, at + scratch.length);
      await builder.update(scratch);
      scratch.fill(0xee);
    }
    expect((await builder.finish()).v2.bytes.equals(reference(data, secret).v2)).toBe(true);
  });
});

describe("content information streams", () => {
  it("when an upload goes through the tap, then the bytes pass unchanged and the builder sees them all", async () => {
    const data = bytesFrom(11, 2 * MiB + 12_345);
    const builder = new ContentInfoBuilder({ secret, hasher: pool });
    const received: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        received.push(Buffer.from(chunk));
        cb();
      },
    });
    const chunks = Array.from({ length: Math.ceil(data.length / 50_000) }, (_, i) => data.subarray(i * 50_000, (i + 1) * 50_000));
    await pipeline(Readable.from(chunks), contentInfoTap(builder), sink);
    expect(Buffer.concat(received).equals(data)).toBe(true);
    const got = await builder.finish();
    const want = reference(data, secret);
    expect([got.v1.bytes.equals(want.v1), got.v2.bytes.equals(want.v2)]).toEqual([true, true]);
  });

  it("when bytes are piped into the sink, then finish gives the reference result", async () => {
    const data = bytesFrom(12, 777_777);
    const builder = new ContentInfoBuilder({ secret });
    await pipeline(Readable.from([data.subarray(0, 1), data.subarray(1, 500_000), data.subarray(500_000)]), contentInfoSink(builder));
    expect((await builder.finish()).v1.bytes.equals(reference(data, secret).v1)).toBe(true);
  });

  it("when the upload fails mid-way, then the builder is aborted and finish rejects", async () => {
    const builder = new ContentInfoBuilder({ secret, hasher: pool });
    const failing = new Readable({
      read() {
        this.destroy(new Error("client went away"));
      },
    });
    await expect(pipeline(failing, contentInfoTap(builder), contentInfoSink(new ContentInfoBuilder({ secret })))).rejects.toThrow(/went away/);
    await expect(builder.finish()).rejects.toThrow(/aborted/);
  });
});

describe("content hash pool", () => {
  it("when closed, then acquiring and hashing reject", async () => {
    const own = createContentHashPool({ workers: 1, pieceSize: 128 * KiB, slotsPerWorker: 1 });
    const slot = await own.acquire();
    await own.close();
    await expect(own.hash(slot, 10)).rejects.toThrow(/closed/);
    await expect(own.acquire()).rejects.toThrow(/closed/);
  });

  it("when the pool closes while a builder waits for a free slot, then the waiting update rejects instead of hanging", async () => {
    const own = createContentHashPool({ workers: 1, pieceSize: 128 * KiB, slotsPerWorker: 1 });
    const held = await own.acquire();
    const waiting = new ContentInfoBuilder({ secret, hasher: own }).update(Buffer.from("x"));
    await own.close();
    await expect(waiting).rejects.toThrow(/closed/);
    own.release(held);
  });

  it("when the piece size is not a multiple of 128 KiB, then creation is refused", () => {
    expect(() => createInlinePieceHasher(100_000)).toThrow(RangeError);
    expect(() => createContentHashPool({ pieceSize: 64 * KiB })).toThrow(RangeError);
  });
});
