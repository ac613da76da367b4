import type { ReconcileContext, ReconcileCounts, ReconcileTask } from "../task.js";
import { forEachRealmRotating } from "./realm-rotation.js";

/** An initial run whose current step made no progress within its timeout. */
export interface StuckRun {
  realmId: string;
  deviceId: string;
  runId: string;
  stepId?: string;
  /** ISO 8601: when the current step last progressed. */
  since: string;
  /** How often reconciliation already re-drove this run. */
  redrives: number;
}

/** What reconciliation needs from the onboarding module to unstick initial runs (the onboarding module implements it). */
export interface OnboardingReconciler {
  /** Runs of the realm whose current step has not progressed for `olderThanMs`, oldest first, at most `limit`; [] when none. */
  findStuck(realmId: string, olderThanMs: number, limit: number): Promise<StuckRun[]>;
  /** Nudges the run's orchestration to retry its current step; false when the run moved on or finished meanwhile. */
  redrive(run: StuckRun): Promise<boolean>;
  /** Ends the run as failed with `reason`; false when it already finished. */
  fail(run: StuckRun, reason: string): Promise<boolean>;
}

/**
 * Re-drives stuck initial runs, and fails those already re-driven RJ_STEP_RETRIES times.
 * `reconcilerFor` builds the onboarding module's reconciler for the pass (services, invocation).
 */
export function stuckRunsTask(reconcilerFor: (ctx: ReconcileContext) => OnboardingReconciler): ReconcileTask {
  return {
    name: "stuck-runs",
    scope: "realm",
    async run(ctx) {
      const reconciler = reconcilerFor(ctx);
      const { RJ_STEP_TIMEOUT_SECONDS, RJ_STEP_RETRIES, RJ_TIME_SCALE } = ctx.services.settings;
      const olderThanMs = (RJ_STEP_TIMEOUT_SECONDS * 1000) / RJ_TIME_SCALE;
      const counts: Required<Pick<ReconcileCounts, "stuckRuns" | "failedRuns">> = { stuckRuns: 0, failedRuns: 0 };
      await forEachRealmRotating(ctx, async (realmId) => {
        const runs = await reconciler.findStuck(realmId, olderThanMs, ctx.budget.remaining);
        for (const run of runs) {
          if (!ctx.budget.take()) return "stop";
          if (run.redrives < RJ_STEP_RETRIES) {
            if (await reconciler.redrive(run)) counts.stuckRuns++;
          } else if (await reconciler.fail(run, "step-timeout")) {
            counts.failedRuns++;
          }
        }
        return "next";
      });
      return counts;
    },
  };
}
