import { z } from "zod";
import type { Device } from "../../devices/device.js";
import type { ReconcileContext, ReconcileCounts, ReconcileTask } from "../task.js";
import { realmsInScope } from "./realm-ids.js";

const DAY_MS = 86_400_000;
const PAGE = 100;
const cursorSchema = z.object({ realmId: z.string(), token: z.string().optional() });
type Cursor = z.infer<typeof cursorSchema>;

function readCursor(raw: string | undefined): Cursor | undefined {
  if (raw === undefined) return undefined;
  const parsed = cursorSchema.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : undefined;
}

/** True when the device was last seen (or, never seen, enrolled) before the cutoff and is not yet stale. */
export function shouldBeStale(device: Device, cutoffMs: number): boolean {
  if (device.stale) return false;
  const seen = Date.parse(device.lastSeenAt ?? device.enrolledAt);
  return Number.isFinite(seen) && seen < cutoffMs;
}

/**
 * Marks devices not seen for RJ_STALE_DEVICE_DAYS as stale (the next accepted state report clears
 * it). Walks realms in id order and their devices in pages, one budget item per device examined,
 * and keeps its place (realm, continuation token) between passes.
 */
export const staleDevicesTask: ReconcileTask = {
  name: "stale-devices",
  scope: "realm",
  async run(ctx: ReconcileContext): Promise<ReconcileCounts> {
    const cutoffMs = ctx.now.getTime() - ctx.services.settings.RJ_STALE_DEVICE_DAYS * DAY_MS;
    const realms = await realmsInScope(ctx);
    const cursor = readCursor(await ctx.cursor.get());
    let marked = 0;
    let index = cursor === undefined ? 0 : realms.findIndex((id) => id >= cursor.realmId);
    let token = cursor !== undefined && realms[index] === cursor.realmId ? cursor.token : undefined;
    if (index < 0) index = realms.length;
    while (index < realms.length) {
      const realmId = realms[index] as string;
      const pageSize = Math.min(PAGE, ctx.budget.remaining);
      if (pageSize === 0 || ctx.lease.lost) {
        await ctx.cursor.set(JSON.stringify({ realmId, ...(token === undefined ? {} : { token }) }));
        return { staleDevices: marked };
      }
      const page = await ctx.services.devices.list(realmId, pageSize, token);
      ctx.budget.take(page.devices.length);
      for (const device of page.devices.filter((d) => shouldBeStale(d, cutoffMs))) {
        let wrote = false;
        await ctx.services.devices.update(realmId, device.deviceId, (current) => {
          wrote = current !== undefined && shouldBeStale(current, cutoffMs);
          return wrote && current !== undefined ? { ...current, stale: true } : undefined;
        });
        if (wrote) marked++;
      }
      token = page.continuationToken;
      if (token === undefined) index++;
      await ctx.lease.renew();
    }
    await ctx.cursor.set(undefined);
    return { staleDevices: marked };
  },
};
