/** One measured figure: a row of the printed table and an entry of bench-results.json. */
export interface Figure {
  /** Stable key for the JSON, e.g. "config.poll304". */
  id: string;
  /** What is measured, as printed. */
  label: string;
  /** null when the figure could not be measured (see note). */
  value: number | null;
  unit: string;
  /** The same-run reference and the ratio to it, as printed, e.g. "plain http 9,800/s; ratio 0.12". */
  baseline?: string;
  /** value / baseline, when there is a baseline. */
  ratio?: number;
  goal?: string;
  /** Set when the goal is stated and was checked. */
  met?: boolean;
  note?: string;
  /** Raw numbers for the JSON only. */
  details?: Record<string, unknown>;
}

const COLUMNS = ["Figure", "Value", "Unit", "Baseline / ratio", "Goal"] as const;

/** Formats a number for the table: thousands separators, at most `digits` decimals; "n/a" for null or NaN. */
export function formatNumber(value: number | null, digits = 2): string {
  if (value === null || !Number.isFinite(value)) return "n/a";
  const abs = Math.abs(value);
  const decimals = abs >= 100 ? 0 : abs >= 10 ? Math.min(1, digits) : digits;
  return value.toLocaleString("en-US", { minimumFractionDigits: 0, maximumFractionDigits: decimals });
}

/** Rounds to `digits` decimals (for ratios and JSON). */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function goalCell(f: Figure): string {
  if (f.goal === undefined) return "";
  if (f.met === undefined) return f.goal;
  return `${f.goal} ${f.met ? "(met)" : "(MISSED)"}`;
}

/** The figures as an aligned plain-text table (header, rule, one row each, notes below); never throws. */
export function renderTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [f.label, formatNumber(f.value), f.unit, f.baseline ?? "", goalCell(f)]);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 1 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(" | ").trimEnd();
  const out = [line(COLUMNS), widths.map((w) => "-".repeat(w)).join("-+-")];
  for (const r of rows) out.push(line(r));
  const notes = figures.filter((f) => f.note !== undefined);
  if (notes.length > 0) {
    out.push("");
    for (const f of notes) out.push(`* ${f.label}: ${f.note ?? ""}`);
  }
  return out.join("\n");
}
