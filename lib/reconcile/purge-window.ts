import { z } from "zod";

// The Durable client purges by creation-time filter and reports the count only afterwards, so a
// budget can be honoured only by choosing how wide a window each call covers. The width follows
// the density the last call found: a window that held more than three quarters of the target is
// shrunk in proportion to hold 60 % of it, one that held less than 30 % is doubled, so density may
// rise by a third from one window to the next before a call passes the target.

const SECOND_MS = 1000;
const DAY_MS = 86_400_000;
export const MIN_WINDOW_MS = SECOND_MS;
export const MAX_WINDOW_MS = DAY_MS;
export const INITIAL_WINDOW_MS = 15 * 60 * SECOND_MS;

/** Where the purge walk stands: everything finished and created before `from` is purged. */
export interface PurgeWindow {
  from: number;
  widthMs: number;
}

const stored = z.object({
  from: z.number().int().nonnegative(),
  widthMs: z.number().int().min(MIN_WINDOW_MS).max(MAX_WINDOW_MS),
});

/** The saved walk, or undefined when there is none (or it is unreadable: the walk starts over). */
export function parsePurgeWindow(position: string | undefined): PurgeWindow | undefined {
  if (position === undefined) return undefined;
  try {
    const parsed = stored.safeParse(JSON.parse(position));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export const serializePurgeWindow = (w: PurgeWindow): string => JSON.stringify(w);

/** The next width after a window of `widthMs` held `purged` instances, aiming at `target` per call. */
export function nextWindowWidth(widthMs: number, purged: number, target: number): number {
  let next = widthMs;
  if (purged * 4 > target * 3) next = Math.floor((widthMs * Math.max(1, Math.floor(target * 0.6))) / purged);
  else if (purged * 10 < target * 3) next = widthMs * 2;
  return Math.min(MAX_WINDOW_MS, Math.max(MIN_WINDOW_MS, next));
}

