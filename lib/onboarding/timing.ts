import type { Settings } from "../config/settings.js";

/** The timings of one run, fixed at its start (part of the orchestration input, so replays see the same values). */
export interface RunTiming {
  stepTimeoutMs: number;
  /** Re-publications of a silent step before the run fails. */
  stepRetries: number;
  escrowFirstRetryMs: number;
  escrowAttempts: number;
}

/** Timings from the settings, every duration divided by RJ_TIME_SCALE (npm start -- --fast). */
export function runTimingFrom(settings: Pick<Settings, "RJ_STEP_TIMEOUT_SECONDS" | "RJ_STEP_RETRIES" | "RJ_ESCROW_FIRST_RETRY_SECONDS" | "RJ_ESCROW_ATTEMPTS" | "RJ_TIME_SCALE">): RunTiming {
  const scaled = (seconds: number) => Math.max(1, Math.round((seconds * 1000) / settings.RJ_TIME_SCALE));
  return {
    stepTimeoutMs: scaled(settings.RJ_STEP_TIMEOUT_SECONDS),
    stepRetries: settings.RJ_STEP_RETRIES,
    escrowFirstRetryMs: scaled(settings.RJ_ESCROW_FIRST_RETRY_SECONDS),
    escrowAttempts: settings.RJ_ESCROW_ATTEMPTS,
  };
}
