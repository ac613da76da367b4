import type { RunTiming } from "./timing.js";

/** Which run an activity works for. */
export interface RunRef {
  realmId: string;
  deviceId: string;
  runId: string;
  attempt: number;
}

/** The orchestration's input: the run and its timings. */
export interface RunInput extends RunRef {
  timing: RunTiming;
}
