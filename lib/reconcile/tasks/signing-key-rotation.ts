import type { ReconcileContext, ReconcileCounts, ReconcileTask } from "../task.js";
import { forEachRealmRotating } from "./realm-rotation.js";

/** A realm's signing key is replaced once it is this old (the previous key stays published for the overlap). */
export const SIGNING_KEY_MAX_AGE_DAYS = 365;
const DAY_MS = 86_400_000;

/** Rotates every realm's signing key once a year; one budget item per realm examined. */
export const signingKeyRotationTask: ReconcileTask = {
  name: "signing-key-rotation",
  scope: "realm",
  async run(ctx: ReconcileContext): Promise<ReconcileCounts> {
    const cutoff = ctx.now.getTime() - SIGNING_KEY_MAX_AGE_DAYS * DAY_MS;
    let rotated = 0;
    await forEachRealmRotating(ctx, async (realmId) => {
      if (!ctx.budget.take(1)) return "stop";
      const createdAt = await ctx.services.keyRing.currentKeyCreatedAt(realmId);
      if (createdAt !== undefined && createdAt < cutoff) {
        await ctx.services.keyRing.rotate(realmId);
        rotated++;
      }
      return "next";
    });
    return { rotatedSigningKeys: rotated };
  },
};
