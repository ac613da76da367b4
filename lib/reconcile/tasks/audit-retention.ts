import type { ReconcileContext, ReconcileCounts, ReconcileTask } from "../task.js";
import { forEachRealmRotating } from "./realm-rotation.js";

/** How long audit entries are kept. */
export const AUDIT_RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;

/**
 * Deletes audit entries older than 90 days: per realm (and, in the global pass, the operators' log) one
 * RowKey range of the oldest rows, within the budget, so a pass never reads entries it keeps.
 */
export const auditRetentionTask: ReconcileTask = {
  name: "audit-retention",
  scope: "realm",
  async run(ctx: ReconcileContext): Promise<ReconcileCounts> {
    const cutoff = new Date(ctx.now.getTime() - AUDIT_RETENTION_DAYS * DAY_MS);
    let purged = 0;
    if (ctx.realmId === undefined) {
      const n = await ctx.services.audit.purgeOlderThan({ kind: "operator" }, cutoff, ctx.budget.remaining);
      ctx.budget.spend(n);
      purged += n;
    }
    await forEachRealmRotating(ctx, async (realmId) => {
      const n = await ctx.services.audit.purgeOlderThan({ kind: "realm", realmId }, cutoff, ctx.budget.remaining);
      ctx.budget.spend(n);
      purged += n;
      return ctx.budget.exhausted ? "stop" : "next";
    });
    return { purgedAuditEntries: purged };
  },
};
