import { readFileSync } from "node:fs";

const KIB = 1024;

/** VmRSS of a process in bytes from /proc/<pid>/status; undefined when the process is gone or /proc is missing. */
export function readRssBytes(pid: number): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return m?.[1] === undefined ? undefined : Number(m[1]) * KIB;
}

/** What a sampler saw between start and stop. */
export interface RssSummary {
  samples: number;
  /** Bytes; 0 when no sample could be read. */
  firstBytes: number;
  peakBytes: number;
  lastBytes: number;
}

/** A running sampler; stop() ends it and returns the summary (callable once; later calls return the same). */
export interface RssSampler {
  /** The peak so far, in bytes (0 before the first sample). */
  readonly peakBytes: number;
  stop(): RssSummary;
}

/** Reads the process's VmRSS now and then every intervalMs (default 50) until stopped; a vanished process stops counting. */
export function sampleRss(pid: number, intervalMs = 50): RssSampler {
  const summary: RssSummary = { samples: 0, firstBytes: 0, peakBytes: 0, lastBytes: 0 };
  const take = (): void => {
    const rss = readRssBytes(pid);
    if (rss === undefined) return;
    if (summary.samples === 0) summary.firstBytes = rss;
    summary.samples++;
    summary.peakBytes = Math.max(summary.peakBytes, rss);
    summary.lastBytes = rss;
  };
  take();
  const timer = setInterval(take, intervalMs);
  let stopped = false;
  return {
    get peakBytes() {
      return summary.peakBytes;
    },
    stop() {
      if (!stopped) {
        stopped = true;
        clearInterval(timer);
        take();
      }
      return { ...summary };
    },
  };
}

/** The median VmRSS over `count` readings `intervalMs` apart: a steadier idle figure than one reading; 0 when unreadable. */
export async function idleRss(pid: number, count = 10, intervalMs = 50): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const rss = readRssBytes(pid);
    if (rss !== undefined) values.push(rss);
    if (i < count - 1) await new Promise((r) => setTimeout(r, intervalMs));
  }
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)] ?? 0;
}
