import type { RunTiming } from "./timing.js";

/** Which run an activity works for. */
export interface RunRef {
  realmId: string;
  deviceId: string;
  runId: string;
  attempt: number;
}

/** Where a single-step retry starts: the failed step; the steps before it count as done (no second restart). */
export interface ResumePoint {
  stepId: string;
  /** The user the user-phase steps run for when confirm-user is skipped (the device's primary user). */
  userId?: string;
}

/** The orchestration's input: the run and its timings. */
export interface RunInput extends RunRef {
  timing: RunTiming;
  resumeFrom?: ResumePoint;
}
