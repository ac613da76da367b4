import { listFinishedBefore } from "../local-finished-instances.js";
import {
  INITIAL_WINDOW_MS,
  nextWindowWidth,
  parsePurgeWindow,
  serializePurgeWindow,
  type PurgeWindow,
} from "../purge-window.js";
import type { ReconcileContext, ReconcileCounts, ReconcileTask } from "../task.js";

const DAY_MS = 86_400_000;
/** The local durable runtime's table (lib/localhost/durable-host.ts). */
const LOCAL_DURABLE_TABLE = "DurableInstances";

/**
 * Purges finished orchestration instances older than RJ_RETENTION_DAYS, within the task's budget.
 * In Azure the Durable client purges by creation window (see purge-window.ts); on the local runtime
 * the task lists finished instances itself and purges them one by one through the client, which
 * refuses any instance that is running again.
 */
export const historyPurgeTask: ReconcileTask = {
  name: "history-purge",
  scope: "global",
  async run(ctx: ReconcileContext): Promise<ReconcileCounts> {
    const cutoff = ctx.now.getTime() - ctx.services.settings.RJ_RETENTION_DAYS * DAY_MS;
    const client = ctx.services.orchestrations(ctx.invocation);
    const purgeBetween = client.purgeFinishedBetween?.bind(client);
    if (purgeBetween !== undefined) return purgeByWindows(ctx, purgeBetween, cutoff);
    const table = await ctx.services.tables.table(LOCAL_DURABLE_TABLE);
    let purged = 0;
    for (const instanceId of await listFinishedBefore(table, new Date(cutoff), ctx.budget.remaining)) {
      ctx.budget.take();
      if (await client.purge(instanceId)) purged++;
    }
    return { purgedHistories: purged };
  },
};

type PurgeBetween = (from: Date, to: Date) => Promise<number>;

/**
 * Walks creation time forward from the saved cursor to the cutoff, one window per call, each call
 * costing at least one budget item. A walk that has never run first purges everything older than a
 * day before the cutoff in one call: the purge this replaced removed everything past the cutoff on
 * every pass, so nothing is left there but on a deployment that never purged.
 */
async function purgeByWindows(ctx: ReconcileContext, purgeBetween: PurgeBetween, cutoff: number): Promise<ReconcileCounts> {
  const target = Math.max(1, ctx.budget.remaining);
  let purged = 0;
  let walk: PurgeWindow | undefined = parsePurgeWindow(await ctx.cursor.get());
  if (walk === undefined) {
    const start = cutoff - DAY_MS;
    const n = await purgeBetween(new Date(0), new Date(start));
    ctx.budget.spend(Math.max(1, n));
    purged += n;
    walk = { from: start, widthMs: INITIAL_WINDOW_MS };
  }
  // What the next window should hold at the density the last one found; a pass stops before a
  // window it cannot afford, so the next pass starts with it whole.
  let expected = 0;
  while (!ctx.budget.exhausted && walk.from < cutoff && !ctx.lease.lost && expected <= ctx.budget.remaining) {
    const to = Math.min(walk.from + walk.widthMs, cutoff);
    const n = await purgeBetween(new Date(walk.from), new Date(to));
    ctx.budget.spend(Math.max(1, n));
    purged += n;
    // A window clipped by the cutoff says little about density: keep the width.
    if (to - walk.from < walk.widthMs) {
      walk = { from: to, widthMs: walk.widthMs };
      continue;
    }
    const width = nextWindowWidth(walk.widthMs, n, target);
    expected = Math.ceil((n * width) / walk.widthMs);
    walk = { from: to, widthMs: width };
  }
  await ctx.cursor.set(serializePurgeWindow(walk));
  return { purgedHistories: purged };
}
