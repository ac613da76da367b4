import type { ReconcileContext, ReconcileCounts, ReconcileTask } from "../task.js";

/** How long after its SAS ended a session that was never published keeps its blob (a client may still be committing). */
export const ABANDONED_UPLOAD_GRACE_MS = 60 * 60 * 1000;

/** Removes the staged blobs of upload sessions never published (pending past their SAS and a grace hour), within the budget. */
export const abandonedUploadsTask: ReconcileTask = {
  name: "abandoned-uploads",
  scope: "global",
  async run(ctx: ReconcileContext): Promise<ReconcileCounts> {
    const limit = Math.min(ctx.budget.remaining, 500);
    const expired = await ctx.services.uploads.expireAbandoned(ctx.now, ABANDONED_UPLOAD_GRACE_MS, limit);
    ctx.budget.spend(expired);
    return { expiredUploads: expired };
  },
};
