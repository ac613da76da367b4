import { measureReplay } from "../../../lib/durable/replay-cost.js";
import { round, type Figure } from "../figure.js";
import type { SlotContext } from "../slots.js";

/** History sizes (completed steps) measured. */
export const REPLAY_STEPS = [10, 50, 100, 200] as const;

/** Median of the numbers; NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Median milliseconds of one replay over a history of `steps` finished activities (warm the JIT first). */
export async function replayMilliseconds(steps: number, rounds: number): Promise<{ ms: number; events: number }> {
  const times: number[] = [];
  let events = 0;
  for (let i = 0; i < rounds; i++) {
    const r = await measureReplay(steps);
    times.push(r.milliseconds);
    events = r.events;
  }
  return { ms: median(times), events };
}

/** Slot "durable-replay": the cost of the next step's replay at each history size, and the growth from 10 to 200. */
export async function figures(context: SlotContext): Promise<Figure[]> {
  const rounds = context.options.quick ? 21 : 61;
  for (let i = 0; i < 5; i++) for (const steps of REPLAY_STEPS) await measureReplay(steps);
  const out: Figure[] = [];
  let first: { steps: number; ms: number } | undefined;
  for (const steps of REPLAY_STEPS) {
    const { ms, events } = await replayMilliseconds(steps, rounds);
    first ??= { steps, ms };
    const perEventUs = (ms * 1000) / events;
    out.push({
      id: `durable.replay.${steps}`,
      label: `Durable replay for step ${steps + 1} (${steps} done, ${events} events)`,
      value: round(ms, 3),
      unit: "ms/step",
      baseline: `${round(perEventUs, 2)} us/event; ${round(ms / first.ms, 1)}x the ${first.steps}-step cost`,
      ratio: round(ms / first.ms, 2),
      details: { steps, events, medianMs: ms, rounds, perEventMicroseconds: perEventUs },
    });
  }
  return out;
}
