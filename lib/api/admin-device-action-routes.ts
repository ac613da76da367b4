import { z } from "zod";
import { AppError } from "../core/errors.js";
import { param } from "../http/audit-declaration.js";
import { endpoint } from "../http/endpoint.js";
import { json } from "../http/reply.js";
import { onboardingStores } from "../onboarding/stores.js";
import type { HttpFunctionEntry } from "../registry/types.js";

const deviceIdOf = (params: Record<string, string>): string => (params["id"] ?? "").toLowerCase();

const retiredSchema = z.object({
  deviceId: z.string(),
  retiredAt: z.string(),
  retiredBy: z.string().describe("object id of who retired it"),
  enrolledAt: z.string(),
  primaryUser: z.string().nullable(),
});

/**
 * Retires a device: it leaves the device list, its certificate pin is cleared, its initial run (if any) is stopped,
 * and every later agent call of it answers 403 problem+json `device-retired`. Idempotent (a second call answers the
 * same tombstone). Its audit entries stay.
 */
const retire: HttpFunctionEntry = {
  name: "adminRetireDevice",
  route: "admin/v1/devices/{id}/retire",
  methods: ["POST"],
  area: "admin",
  durableClient: true,
  handler: endpoint({
    auth: "helpdesk",
    response: retiredSchema,
    audit: { target: param("id"), summary: () => "device retired" },
    async handle({ services, auth, params, invocation }) {
      const deviceId = deviceIdOf(params);
      const device = await services.devices.get(auth.realmId, deviceId);
      const at = new Date(services.clock.now()).toISOString();
      const record = await services.retiredDevices.retire(services.devices, device, auth.realmId, deviceId, auth.user?.userId ?? "", at);
      const runs = onboardingStores(services.tables).runs;
      const run = await runs.get(auth.realmId, deviceId);
      if (run !== undefined) {
        if (run.status === "running") await services.orchestrations(invocation).terminate(run.instanceId, "device retired");
        await runs.remove(auth.realmId, deviceId);
      }
      return json({ deviceId, retiredAt: record.retiredAt, retiredBy: record.retiredBy, enrolledAt: record.enrolledAt, primaryUser: record.primaryUser ?? null });
    },
  }),
};

const syncSchema = z.object({ deviceId: z.string(), syncRequestedAt: z.string() });

/** Sets the device's "sync now" flag: its next configuration carries `syncNow`, and serving it clears the flag. */
const syncNow: HttpFunctionEntry = {
  name: "adminSyncDevice",
  route: "admin/v1/devices/{id}/sync",
  methods: ["POST"],
  area: "admin",
  handler: endpoint({
    auth: "helpdesk",
    response: syncSchema,
    audit: { target: param("id"), summary: () => "sync requested" },
    async handle({ services, auth, params }) {
      const deviceId = deviceIdOf(params);
      const at = new Date(services.clock.now()).toISOString();
      const device = await services.devices.update(auth.realmId, deviceId, (d) => (d === undefined ? undefined : { ...d, syncRequestedAt: at }));
      if (device === undefined) throw new AppError("not-found", "No such device");
      return json({ deviceId, syncRequestedAt: at }, 202);
    },
  }),
};

/** Device actions of admins and helpdesk: retire, sync now (retry of one step lives with the onboarding routes). */
export const adminDeviceActionRoutes: HttpFunctionEntry[] = [retire, syncNow];
