import type { AppServices } from "../../app/services.js";
import type { ReconcileCounts, ReconcileTask } from "../task.js";

const DAY_MS = 86_400_000;

/** How far one call got in deleting a realm's data. */
export interface RealmPurgeProgress {
  /** Items deleted by this call. */
  deleted: number;
  /** True when nothing of the realm is left (the realm record included). */
  done: boolean;
}

/** Deletes up to `budget` items of a deleted realm's data (lib/realms/realm-purge.ts). */
export type RealmPurger = (services: AppServices, realmId: string, budget: number) => Promise<RealmPurgeProgress>;

/**
 * Purges realms deleted more than RJ_RETENTION_DAYS ago, a budget's worth of items per pass.
 * Global: an admin's pass never purges (its realm is not deleted).
 */
export function deletedRealmsTask(purge: RealmPurger): ReconcileTask {
  return {
    name: "deleted-realms",
    scope: "global",
    async run(ctx): Promise<ReconcileCounts> {
      const cutoff = ctx.now.getTime() - ctx.services.settings.RJ_RETENTION_DAYS * DAY_MS;
      const due = (await ctx.services.realms.list()).filter((r) => r.status === "deleted" && r.deletedAt !== undefined && Date.parse(r.deletedAt) < cutoff);
      let purged = 0;
      for (const realm of due) {
        if (ctx.budget.exhausted || ctx.lease.lost) break;
        const progress = await purge(ctx.services, realm.id, ctx.budget.remaining);
        ctx.budget.spend(progress.deleted);
        if (progress.done) purged++;
      }
      return { purgedRealms: purged };
    },
  };
}
