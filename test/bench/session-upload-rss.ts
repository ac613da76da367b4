import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { publishFile } from "../../lib/cli/session-publisher.js";
import { startAzurite } from "../../lib/localhost/azurite-process.js";
import { streamedNupkg } from "../support/nupkg-builder.js";
import { formatNumber, round, type Figure } from "./figure.js";
import { idleRss, sampleRss } from "./rss-sampler.js";
import { adminToken, startChildHost } from "./upload-rss.js";

const MIB = 1024 * 1024;
const GOAL_DELTA_MIB = 64;

/** Plain SHA-256 over the same file on this machine: the baseline of the processing rate. */
async function sha256Rate(path: string): Promise<number> {
  const started = process.hrtime.bigint();
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * MIB })) hash.update(chunk as Buffer);
  hash.digest();
  return statSync(path).size / MIB / (Number(process.hrtime.bigint() - started) / 1e9);
}

/**
 * A .nupkg of `payloadBytes` (written to disk piece by piece) published through an upload session against the local
 * host as a child process: the blocks go to Azurite through the SAS (the host never sees them), then the host's
 * durable activity reads the staged blob once (SHA-256, content information V1+V2, zip checks) and stores it. The
 * host's VmRSS is sampled throughout; the processing rate is size / (publish call -> published).
 */
export async function sessionUploadFigures(payloadBytes: number): Promise<Figure[]> {
  const root = mkdtempSync(join(tmpdir(), "rj-bench-session-"));
  const azurite = await startAzurite({ location: join(root, "azurite") });
  let host: Awaited<ReturnType<typeof startChildHost>> | undefined;
  try {
    const file = join(root, "big.nupkg");
    await pipeline(Readable.from(streamedNupkg({ id: "Bench.Session", version: "1.0.0" }, payloadBytes, 8 * MIB)), createWriteStream(file));
    const size = statSync(file).size;
    const baseline = await sha256Rate(file);
    const dataDir = join(root, "data");
    mkdirSync(dataDir);
    host = await startChildHost(dataDir, azurite.connectionString);
    const token = await adminToken(dataDir);
    const idle = await idleRss(host.pid);
    const sampler = sampleRss(host.pid, 50);
    const started = process.hrtime.bigint();
    let processingFrom = started;
    const result = await publishFile({ baseUrl: host.origin, token }, file, {
      stateDir: join(root, "state"),
      pollMs: 250,
      onProcessing: () => (processingFrom = process.hrtime.bigint()),
    });
    const ended = process.hrtime.bigint();
    const seen = sampler.stop();
    if (result.session.status !== "published") throw new Error(`the session ended ${result.session.status}: ${JSON.stringify(result.session.problem)}\n${host.log()}`);
    const deltaMiB = (seen.peakBytes - idle) / MIB;
    const uploadSeconds = Number(processingFrom - started) / 1e9;
    const processSeconds = Number(ended - processingFrom) / 1e9;
    const rate = size / MIB / processSeconds;
    const label = payloadBytes >= 1024 * MIB ? `${formatNumber(payloadBytes / (1024 * MIB))} GiB` : `${formatNumber(payloadBytes / MIB)} MiB`;
    return [
      {
        id: "session.rssDelta",
        label: `Session publish ${label}: host peak RSS above idle`,
        value: round(deltaMiB, 1),
        unit: "MiB",
        baseline: `idle ${formatNumber(idle / MIB)} MiB, peak ${formatNumber(seen.peakBytes / MIB)} MiB`,
        goal: `< ${GOAL_DELTA_MIB} MiB`,
        met: deltaMiB < GOAL_DELTA_MIB,
        note: `child process host; blocks to Azurite through the SAS, then the durable activity; VmRSS every 50 ms (${seen.samples} samples)`,
        details: { size, idleBytes: idle, peakBytes: seen.peakBytes, uploadSeconds: round(uploadSeconds, 2), processSeconds: round(processSeconds, 2) },
      },
      {
        id: "session.processRate",
        label: `Session publish ${label}: processing (hash, content info, checks, store)`,
        value: round(rate, 1),
        unit: "MiB/s",
        baseline: `plain SHA-256 ${formatNumber(round(baseline, 1))} MiB/s, ratio ${formatNumber(round(rate / baseline, 2))}`,
        note: `client upload ${formatNumber(round(size / MIB / uploadSeconds, 1))} MiB/s to Azurite (${result.uploadedBlocks} blocks)`,
        details: { sha256MiBps: round(baseline, 1), uploadMiBps: round(size / MIB / uploadSeconds, 1) },
      },
    ];
  } finally {
    await host?.stop();
    await azurite.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
