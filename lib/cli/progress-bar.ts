import type { UploadProgress } from "./session-publisher.js";

const MIB = 1024 * 1024;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number): string => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

/**
 * One line of progress: a bar, bytes done of total, the rate of this run's bytes and the time left at that rate,
 * e.g. `[##########----------]  50%  512.0/1024.0 MiB  85.3 MiB/s  00:06 left`.
 */
export function progressLine(p: UploadProgress, elapsedSeconds: number, width = 20): string {
  const done = p.sentBytes + p.resumedBytes;
  const ratio = p.totalBytes === 0 ? 1 : Math.min(1, done / p.totalBytes);
  const filled = Math.round(ratio * width);
  const rate = elapsedSeconds > 0 ? p.sentBytes / MIB / elapsedSeconds : 0;
  const left = rate > 0 ? (p.totalBytes - done) / MIB / rate : NaN;
  const resumed = p.resumedBytes > 0 ? `  (${(p.resumedBytes / MIB).toFixed(1)} MiB resumed)` : "";
  return (
    `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%  ` +
    `${(done / MIB).toFixed(1)}/${(p.totalBytes / MIB).toFixed(1)} MiB  ${rate.toFixed(1)} MiB/s  ${duration(left)} left${resumed}`
  );
}

/** Redraws one line on a terminal stream (carriage return, clear to end), at most every `intervalMs`. */
export class ProgressBar {
  private readonly started = Date.now();
  private last = 0;

  constructor(
    private readonly out: { write(s: string): unknown },
    private readonly intervalMs = 100,
  ) {}

  update(p: UploadProgress): void {
    const now = Date.now();
    if (now - this.last < this.intervalMs && p.doneBlocks < p.blocks) return;
    this.last = now;
    this.out.write(`\r${progressLine(p, (now - this.started) / 1000)}\x1b[K`);
  }

  /** Ends the bar's line and prints a status on the next. */
  status(text: string): void {
    this.out.write(`\n${text}\n`);
  }
}
