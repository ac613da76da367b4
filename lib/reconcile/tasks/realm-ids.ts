import type { ReconcileContext } from "../task.js";

/** The realms a task walks, in id order: the scoped realm alone, or every realm not deleted. */
export async function realmsInScope(ctx: ReconcileContext): Promise<string[]> {
  if (ctx.realmId !== undefined) return [ctx.realmId];
  const realms = await ctx.services.realms.list();
  return realms
    .filter((r) => r.status !== "deleted")
    .map((r) => r.id)
    .sort();
}
