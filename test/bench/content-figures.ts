import { createHash, randomFillSync } from "node:crypto";
import { deriveBranchCacheSecret } from "../../lib/content/branchcache-secret.js";
import { hodV1, hohodkV1, kpV1, PCCRC_V1_BLOCK_SIZE, PCCRC_V1_SEGMENT_SIZE } from "../../lib/content/pccrc-hashes.js";
import { benchContentInfo } from "./content-info.js";
import { formatNumber, round, type Figure } from "./figure.js";

const MIB = 1024 * 1024;
const ROUNDS = 3;

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

/** Plain SHA-256 over the bytes in 1 MiB updates; seconds. */
export function timeSha256(data: Buffer): number {
  const start = process.hrtime.bigint();
  const h = createHash("sha256");
  for (let at = 0; at < data.length; at += MIB) h.update(data.subarray(at, at + MIB));
  h.digest();
  return seconds(start);
}

/** V1 content information only, inline on this thread: SHA-256 per 64 KiB block, HoD, Kp and HoHoDk per 32 MiB segment; seconds and each segment's HoD and Kp. */
export function timeV1Only(data: Buffer, ks: Uint8Array): { seconds: number; segments: Array<{ hod: Buffer; kp: Buffer }> } {
  const start = process.hrtime.bigint();
  const segments: Array<{ hod: Buffer; kp: Buffer }> = [];
  for (let seg = 0; seg < data.length; seg += PCCRC_V1_SEGMENT_SIZE) {
    const end = Math.min(seg + PCCRC_V1_SEGMENT_SIZE, data.length);
    const blocks: Buffer[] = [];
    for (let at = seg; at < end; at += PCCRC_V1_BLOCK_SIZE) blocks.push(createHash("sha256").update(data.subarray(at, Math.min(at + PCCRC_V1_BLOCK_SIZE, end))).digest());
    const hod = hodV1(blocks);
    const kp = kpV1(ks, hod);
    hohodkV1(kp, hod);
    segments.push({ hod, kp });
  }
  return { seconds: seconds(start), segments };
}

/** Figure 4: content information (V1+V2 on the worker pool) and V1 alone, each as a ratio to plain SHA-256 of the same bytes. */
export async function contentFigures(sizeBytes: number): Promise<Figure[]> {
  const full = await benchContentInfo(sizeBytes);
  const data = Buffer.allocUnsafe(sizeBytes);
  for (let at = 0; at < sizeBytes; at += MIB) randomFillSync(data, at, Math.min(MIB, sizeBytes - at));
  const ks = deriveBranchCacheSecret("bench").v1;
  let sha = Infinity;
  let v1 = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    sha = Math.min(sha, timeSha256(data));
    v1 = Math.min(v1, timeV1Only(data, ks).seconds);
  }
  const mb = sizeBytes / MIB;
  const v1Ratio = round(sha / v1, 3);
  const label = `${formatNumber(mb)} MiB`;
  return [
    {
      id: "content.info",
      label: `Content info V1+V2, ${label} (worker pool)`,
      value: full.contentInfoMBps,
      unit: "MiB/s",
      baseline: `SHA-256 ${formatNumber(full.sha256MBps)} MiB/s; ratio ${full.ratio}`,
      ratio: full.ratio,
      details: { ...full },
    },
    {
      id: "content.infoTwoCoreLimit",
      label: `Content info V1+V2 vs. its 2-core limit`,
      value: full.limitRatio,
      unit: "of limit",
      baseline: `limit ${formatNumber(full.twoCoreLimitMBps)} MiB/s = 2 / (1/SHA-256 ${formatNumber(full.sha256MBps)} + 1/SHA-512 ${formatNumber(full.sha512MBps)})`,
      ratio: full.limitRatio,
      goal: ">= 0.9",
      met: full.limitRatio >= 0.9,
      note: "every byte needs SHA-256 (V1) and SHA-512 (V2): two cores sharing both hashes perfectly reach 2 / (1/r256 + 1/r512); both rates measured on one core in this run",
      details: { ...full },
    },
    {
      id: "content.v1only",
      label: `Content info V1 only, ${label} (inline)`,
      value: Math.round(mb / v1),
      unit: "MiB/s",
      baseline: `SHA-256 ${formatNumber(Math.round(mb / sha))} MiB/s; ratio ${v1Ratio}`,
      ratio: v1Ratio,
      details: { bytes: sizeBytes, sha256MBps: Math.round(mb / sha), v1MBps: Math.round(mb / v1), rounds: ROUNDS },
    },
  ];
}
