import { STEP_KINDS } from "./api-types.js";
import { formatDuration } from "./duration.js";
import type { FleetSummary } from "./fleet.js";
import type { ProgressSnapshot } from "./fleet-stats.js";

/**
 * The progress display as two lines (no newline, no ANSI): the bar of finished devices with the outcome counts, and
 * where the running devices are (enrolled, per step kind). Deterministic for given input.
 */
export function renderProgress(s: ProgressSnapshot, elapsedMs: number, barWidth = 24): [string, string] {
  const done = s.succeeded + s.failed + s.other;
  const filled = s.total === 0 ? barWidth : Math.min(barWidth, Math.floor((done / s.total) * barWidth));
  const bar = `[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}]`;
  const kinds = [...STEP_KINDS, ...Object.keys(s.inStep).filter((k) => !(STEP_KINDS as readonly string[]).includes(k)).sort()];
  const steps = kinds.map((k) => `${k} ${s.inStep[k] ?? 0}`).join(" ");
  return [
    `${bar} ${done}/${s.total} done | ok ${s.succeeded} failed ${s.failed} other ${s.other} | req ${s.requests} err ${s.errors} | ${formatDuration(elapsedMs)}`,
    `enrolled ${s.enrolled} | ${steps}`,
  ];
}

/** The end-of-run report: final statuses, failure reasons, step latencies, requests and errors; deterministic. */
export function renderSummary(summary: FleetSummary): string {
  const lines: string[] = [];
  lines.push(`Agent simulator: ${summary.devices} device(s), realm ${summary.realm}, ${formatDuration(summary.elapsedMs)}`);
  lines.push("");
  lines.push(
    ...table(
      ["final status", "devices"],
      Object.entries(summary.byStatus)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => [k, String(n)]),
    ),
  );
  lines.push(`as expected: ${summary.asExpected}/${summary.devices}`);
  const reasons = Object.entries(summary.failureReasons).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  if (reasons.length > 0) {
    lines.push("");
    lines.push(...table(["reason", "devices"], reasons.map(([k, n]) => [k, String(n)])));
  }
  const latencies = Object.entries(summary.stepLatency);
  if (latencies.length > 0) {
    lines.push("");
    lines.push(
      ...table(
        ["step", "count", "p50", "p95"],
        latencies.map(([k, l]) => [k, String(l.count), formatDuration(l.p50Ms), formatDuration(l.p95Ms)]),
      ),
    );
  }
  lines.push("");
  const errors = Object.entries(summary.errorsByStatus);
  lines.push(`requests: ${summary.requests}; errors: ${errors.length === 0 ? "none" : errors.map(([k, n]) => `${k} x${n}`).join(", ")}`);
  lines.push(summary.ok ? "result: OK" : `result: NOT OK (${summary.devices - summary.asExpected} device(s) not as expected)`);
  return lines.join("\n");
}

/** A plain text table: first column left-aligned, the others right-aligned, two spaces between columns. */
export function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}
