import type { ReconcileContext, ReconcileCounts, ReconcileTask } from "../task.js";
import { realmsInScope } from "./realm-ids.js";

/**
 * Refreshes cached group memberships of Graph realms. The cache is an in-memory TTL cache: an expired
 * entry is already reloaded on its next read, so what a pass can add is a bound on staleness that does
 * not depend on traffic: it drops the realm's cached memberships in this instance, and the next read
 * asks Graph. NoGraph realms read the local directory fresh and are left alone. One budget item per realm.
 */
export const membershipRefreshTask: ReconcileTask = {
  name: "membership-refresh",
  scope: "realm",
  async run(ctx: ReconcileContext): Promise<ReconcileCounts> {
    let refreshed = 0;
    for (const realmId of await realmsInScope(ctx)) {
      if (!ctx.budget.take()) break;
      if (!(await ctx.services.directory.hasGraph(realmId))) continue;
      ctx.services.directory.refresh(realmId);
      refreshed++;
    }
    return { refreshedMemberships: refreshed };
  },
};
