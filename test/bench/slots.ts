import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { BenchOptions } from "./bench-options.js";
import type { Figure } from "./figure.js";

/** What a slot gets: the options and, for slots that need one, the in-process local host of the HTTP benches. */
export interface SlotContext {
  options: BenchOptions;
  /** Present when the slot declared needsHost: base URL (http://127.0.0.1:port) and data folder (dev CA, dev IdP). */
  host?: { baseUrl: string; dataDir: string };
}

/** The contract of a slot module: `export async function figures(context: SlotContext): Promise<Figure[]>`. */
export type SlotFigures = (context: SlotContext) => Promise<Figure[]>;

/** A figure another engineer provides by creating `test/bench/slots/<file>.ts`; the run calls it when it exists. */
export interface FigureSlot {
  id: string;
  /** Module file name under test/bench/slots/, without extension. */
  file: string;
  needsHost: boolean;
  /** The row's name while the slot is empty. */
  label: string;
  /** What the slot should measure, printed as a note while it is empty. */
  pending: string;
}

/**
 * SLOTS for figures built elsewhere. To fill one, create test/bench/slots/<file>.ts exporting `figures` (SlotFigures);
 * nothing else needs to change.
 */
export const FIGURE_SLOTS: readonly FigureSlot[] = [
  {
    // SLOT: onboarding throughput (lib/simulator runFleet against context.host with 200 devices).
    id: "onboarding",
    file: "onboarding-fleet",
    needsHost: true,
    label: "[slot] Onboarding, 200 devices",
    pending: "onboarding of 200 devices via lib/simulator runFleet: devices per minute, p50/p95 step latency",
  },
  {
    // SLOT: durable replay cost per step as history grows (lib/durable/replay-cost.ts measureReplay).
    id: "durable-replay",
    file: "durable-replay",
    needsHost: false,
    label: "[slot] Durable replay cost",
    pending: "durable replay cost per step at 10, 50, 100, 200 steps of history",
  },
  {
    // Cold start: import time of package.json main (what the worker loads) against a one-function app.
    id: "cold-start",
    file: "cold-start",
    needsHost: false,
    label: "[slot] Cold start import",
    pending: "import time of dist/functions/*.js and of a one-function @azure/functions app, median, ratio",
  },
];

/** The slot module's URL (compiled .js under dist, or the .ts source under vitest); undefined when the slot is empty. */
export function slotModuleUrl(slot: FigureSlot, base: string = import.meta.url): string | undefined {
  for (const ext of [".js", ".ts"]) {
    const url = new URL(`./slots/${slot.file}${ext}`, base);
    if (existsSync(fileURLToPath(url))) return url.href;
  }
  return undefined;
}

/** Runs one slot: its figures, or one placeholder row (value null) when it is empty or fails; never throws. */
export async function runSlot(slot: FigureSlot, context: SlotContext): Promise<Figure[]> {
  const placeholder = (note: string): Figure[] => [{ id: `slot.${slot.id}`, label: slot.label, value: null, unit: "", note: `${note} (to measure: ${slot.pending})` }];
  const url = slotModuleUrl(slot);
  if (url === undefined) return placeholder(`slot empty: create test/bench/slots/${slot.file}.ts exporting figures(context)`);
  try {
    const loaded = (await import(url)) as { figures?: unknown };
    if (typeof loaded.figures !== "function") return placeholder(`test/bench/slots/${slot.file} does not export figures(context)`);
    return await (loaded.figures as SlotFigures)(context);
  } catch (error) {
    return placeholder(`slot failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
