import type { ReconcileContext, ReconcileCounts, ReconcileTask } from "../task.js";

/** Deletes expired device-assertion jti records (the replay cache), at most the task's budget per pass. */
export const replayCachePurgeTask: ReconcileTask = {
  name: "replay-cache-purge",
  scope: "global",
  async run(ctx: ReconcileContext): Promise<ReconcileCounts> {
    const purged = await ctx.services.replayCache.purgeExpired(ctx.now.getTime(), ctx.budget.remaining);
    ctx.budget.spend(purged);
    return { purgedReplayEntries: purged };
  },
};
