import { createHash, randomFillSync } from "node:crypto";
import { pathToFileURL } from "node:url";
import { deriveBranchCacheSecret } from "../../lib/content/branchcache-secret.js";
import { ContentInfoBuilder } from "../../lib/content/content-info-builder.js";
import { createContentHashPool, type ContentHashPool } from "../../lib/content/content-info-hash-pool.js";

const CHUNK = 1024 * 1024;
const ROUNDS = 3;

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

function timeHash(algorithm: "sha256" | "sha512", data: Buffer): number {
  const start = process.hrtime.bigint();
  const h = createHash(algorithm);
  for (let at = 0; at < data.length; at += CHUNK) h.update(data.subarray(at, at + CHUNK));
  h.digest();
  return seconds(start);
}

async function timeBuilder(data: Buffer, pool: ContentHashPool): Promise<number> {
  const secret = deriveBranchCacheSecret("bench");
  const start = process.hrtime.bigint();
  const builder = new ContentInfoBuilder({ secret, hasher: pool });
  for (let at = 0; at < data.length; at += CHUNK) await builder.update(data.subarray(at, at + CHUNK));
  await builder.finish();
  return seconds(start);
}

/** What benchContentInfo measured; rates in MiB/s. */
export interface ContentInfoBench {
  bytes: number;
  sha256MBps: number;
  sha512MBps: number;
  contentInfoMBps: number;
  /** contentInfo / SHA-256 (one core). */
  ratio: number;
  /**
   * The two-core limit of V1+V2, 2 / (1/SHA-256 + 1/SHA-512): every byte needs both hashes (V1 SHA-256, V2 SHA-512),
   * so two cores sharing that work perfectly reach this rate and no more.
   */
  twoCoreLimitMBps: number;
  /** contentInfo / twoCoreLimit. */
  limitRatio: number;
}

/** The two-core limit of hashing every byte with both algorithms, from their single-core rates. */
export function twoCoreLimit(sha256MBps: number, sha512MBps: number): number {
  return 2 / (1 / sha256MBps + 1 / sha512MBps);
}

/**
 * Measures, in one run over the same random bytes fed in 1 MiB chunks, plain SHA-256 and SHA-512 (one core each)
 * against the builder computing V1 and V2 content information on the default worker pool; best of three rounds each.
 * ratio = builder / SHA-256; limitRatio = builder / the two-core limit (twoCoreLimit).
 */
export async function benchContentInfo(sizeBytes: number): Promise<ContentInfoBench> {
  const data = Buffer.allocUnsafe(sizeBytes);
  for (let at = 0; at < sizeBytes; at += CHUNK) randomFillSync(data, at, Math.min(CHUNK, sizeBytes - at));
  const pool = createContentHashPool();
  try {
    await timeBuilder(data.subarray(0, Math.min(sizeBytes, 8 * CHUNK)), pool);
    let sha = Infinity;
    let sha512 = Infinity;
    let info = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      sha = Math.min(sha, timeHash("sha256", data));
      sha512 = Math.min(sha512, timeHash("sha512", data));
      info = Math.min(info, await timeBuilder(data, pool));
    }
    const mb = sizeBytes / (1024 * 1024);
    const sha256MBps = mb / sha;
    const sha512MBps = mb / sha512;
    const contentInfoMBps = mb / info;
    const limit = twoCoreLimit(sha256MBps, sha512MBps);
    return {
      bytes: sizeBytes,
      sha256MBps: Math.round(sha256MBps),
      sha512MBps: Math.round(sha512MBps),
      contentInfoMBps: Math.round(contentInfoMBps),
      ratio: Number((contentInfoMBps / sha256MBps).toFixed(3)),
      twoCoreLimitMBps: Math.round(limit),
      limitRatio: Number((contentInfoMBps / limit).toFixed(3)),
    };
  } finally {
    await pool.close();
  }
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  const mib = Number(process.argv[2] ?? "256");
  if (!Number.isFinite(mib) || mib <= 0) throw new RangeError("usage: content-info.js <MiB>");
  console.log(JSON.stringify(await benchContentInfo(Math.round(mib * 1024 * 1024))));
}
