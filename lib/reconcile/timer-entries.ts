import type { TimerFunctionEntry } from "../registry/types.js";

/** Timers of the app (reconciliation). */
export const reconcileTimers: TimerFunctionEntry[] = [];
