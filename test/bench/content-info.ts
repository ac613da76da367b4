import { createHash, randomFillSync } from "node:crypto";
import { pathToFileURL } from "node:url";
import { deriveBranchCacheSecret } from "../../lib/content/branchcache-secret.js";
import { ContentInfoBuilder } from "../../lib/content/content-info-builder.js";
import { createContentHashPool, type ContentHashPool } from "../../lib/content/content-info-hash-pool.js";

const CHUNK = 1024 * 1024;
const ROUNDS = 3;

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

function timeSha256(data: Buffer): number {
  const start = process.hrtime.bigint();
  const h = createHash("sha256");
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

/**
 * Measures, in one run over the same random bytes fed in 1 MiB chunks, plain SHA-256 against the builder computing
 * V1 and V2 content information on the default worker pool; best of three rounds each. ratio = builder / SHA-256.
 */
export async function benchContentInfo(sizeBytes: number): Promise<{ bytes: number; sha256MBps: number; contentInfoMBps: number; ratio: number }> {
  const data = Buffer.allocUnsafe(sizeBytes);
  for (let at = 0; at < sizeBytes; at += CHUNK) randomFillSync(data, at, Math.min(CHUNK, sizeBytes - at));
  const pool = createContentHashPool();
  try {
    await timeBuilder(data.subarray(0, Math.min(sizeBytes, 8 * CHUNK)), pool);
    let sha = Infinity;
    let info = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      sha = Math.min(sha, timeSha256(data));
      info = Math.min(info, await timeBuilder(data, pool));
    }
    const mb = sizeBytes / (1024 * 1024);
    const sha256MBps = mb / sha;
    const contentInfoMBps = mb / info;
    return { bytes: sizeBytes, sha256MBps: Math.round(sha256MBps), contentInfoMBps: Math.round(contentInfoMBps), ratio: Number((contentInfoMBps / sha256MBps).toFixed(3)) };
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
