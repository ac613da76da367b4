const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a duration like "500ms", "60s", "15m", "2h" or a bare number of seconds; throws TypeError on anything else. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (m?.[1] === undefined) throw new TypeError(`not a duration: "${text}" (use e.g. 500ms, 60s, 15m, 2h)`);
  const ms = Number(m[1]) * (UNITS[m[2] ?? "s"] ?? 1000);
  if (!Number.isFinite(ms)) throw new TypeError(`not a duration: "${text}"`);
  return Math.round(ms);
}

/** A short human form of milliseconds: "850ms", "12.3s", "4m05s", "1h02m". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m${String(totalSeconds % 60).padStart(2, "0")}s`;
  const totalMinutes = Math.round(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h${String(totalMinutes % 60).padStart(2, "0")}m`;
}
