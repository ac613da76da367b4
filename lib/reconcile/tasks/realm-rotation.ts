import type { ReconcileContext } from "../task.js";
import { realmsInScope } from "./realm-ids.js";

/**
 * Visits the realms in scope starting where the previous pass stopped (so a budget that runs out in
 * one realm does not starve the others), until `visit` answers "stop". Saves the realm to resume at,
 * or clears the cursor once every realm was visited.
 */
export async function forEachRealmRotating(ctx: ReconcileContext, visit: (realmId: string) => Promise<"next" | "stop">): Promise<void> {
  const realms = await realmsInScope(ctx);
  const resumeAt = await ctx.cursor.get();
  const start = Math.max(0, resumeAt === undefined ? 0 : realms.findIndex((id) => id >= resumeAt));
  const order = [...realms.slice(start), ...realms.slice(0, start)];
  for (const realmId of order) {
    if (ctx.budget.exhausted || ctx.lease.lost || (await visit(realmId)) === "stop") {
      await ctx.cursor.set(realmId);
      return;
    }
  }
  await ctx.cursor.set(undefined);
}
