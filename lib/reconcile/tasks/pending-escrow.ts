import type { ReconcileContext, ReconcileCounts, ReconcileTask } from "../task.js";
import { forEachRealmRotating } from "./realm-rotation.js";

/** A recovery-key escrow check that has not yet seen the key in the directory. */
export interface PendingEscrow {
  realmId: string;
  deviceId: string;
  runId: string;
  attempts: number;
}

/** What reconciliation needs from the onboarding module to retry escrow checks (the onboarding module implements it). */
export interface EscrowReconciler {
  /** Escrow checks of the realm still pending whose next retry is due at `now`, at most `limit`; [] when none. */
  findPending(realmId: string, now: Date, limit: number): Promise<PendingEscrow[]>;
  /** Checks again and records the outcome (emitting EscrowOutcome); false when the check was settled meanwhile. */
  retry(pending: PendingEscrow): Promise<boolean>;
}

/** Retries pending escrow checks, one budget item each. */
export function pendingEscrowTask(reconcilerFor: (ctx: ReconcileContext) => EscrowReconciler): ReconcileTask {
  return {
    name: "pending-escrow",
    scope: "realm",
    async run(ctx) {
      const reconciler = reconcilerFor(ctx);
      const counts: Required<Pick<ReconcileCounts, "escrowRetries">> = { escrowRetries: 0 };
      await forEachRealmRotating(ctx, async (realmId) => {
        for (const pending of await reconciler.findPending(realmId, ctx.now, ctx.budget.remaining)) {
          if (!ctx.budget.take()) return "stop";
          if (await reconciler.retry(pending)) counts.escrowRetries++;
        }
        return "next";
      });
      return counts;
    },
  };
}
