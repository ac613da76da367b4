import { listFinishedBefore } from "../local-finished-instances.js";
import type { ReconcileContext, ReconcileCounts, ReconcileTask } from "../task.js";

const DAY_MS = 86_400_000;
/** The local durable runtime's table (lib/localhost/durable-host.ts). */
const LOCAL_DURABLE_TABLE = "DurableInstances";

/**
 * Purges finished orchestration instances older than RJ_RETENTION_DAYS. In Azure the Durable client
 * does it in one call (purgeInstanceHistoryBy, counted against the budget afterwards); on the local
 * runtime the task lists finished instances itself and purges them one by one through the client,
 * which refuses any instance that is running again.
 */
export const historyPurgeTask: ReconcileTask = {
  name: "history-purge",
  scope: "global",
  async run(ctx: ReconcileContext): Promise<ReconcileCounts> {
    const cutoff = new Date(ctx.now.getTime() - ctx.services.settings.RJ_RETENTION_DAYS * DAY_MS);
    const client = ctx.services.orchestrations(ctx.invocation);
    if (client.purgeFinishedBefore !== undefined) {
      const purged = await client.purgeFinishedBefore(cutoff);
      ctx.budget.spend(purged);
      return { purgedHistories: purged };
    }
    const table = await ctx.services.tables.table(LOCAL_DURABLE_TABLE);
    let purged = 0;
    for (const instanceId of await listFinishedBefore(table, cutoff, ctx.budget.remaining)) {
      ctx.budget.take();
      if (await client.purge(instanceId)) purged++;
    }
    return { purgedHistories: purged };
  },
};
