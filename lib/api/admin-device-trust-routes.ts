import { z } from "zod";
import { AppError } from "../core/errors.js";
import { param } from "../http/audit-declaration.js";
import { endpoint } from "../http/endpoint.js";
import { empty } from "../http/reply.js";
import type { HttpFunctionEntry } from "../registry/types.js";

/** An Entra device id, lowercased. */
const deviceParams = z.object({ id: z.uuid().transform((id) => id.toLowerCase()) });

/**
 * PUT /admin/v1/devices/{id}/registration: pre-registers a device id so a pinned-trust realm may pin the
 * certificate it first enrolls with (only ids the realm's directory knows or an admin registered are pinned).
 */
const preRegister: HttpFunctionEntry = {
  name: "adminPreRegisterDevice",
  route: "admin/v1/devices/{id}/registration",
  methods: ["PUT"],
  area: "admin",
  handler: endpoint({
    auth: "admin",
    audit: { target: param("id"), summary: () => "device pre-registered for pinning" },
    params: deviceParams,
    async handle({ services, auth, params, log }) {
      const deviceId = params["id"] ?? "";
      const outcome = await services.localDirectory.registerDevice(auth.realmId, deviceId);
      log.log("info", "device.pre-registered", { realmId: auth.realmId, deviceId, outcome, by: auth.user?.userId ?? "" });
      return empty(outcome === "created" ? 201 : 204);
    },
  }),
};

/** DELETE /admin/v1/devices/{id}/pin: forgets the certificate a device is pinned to, so a re-imaged device can enroll again. */
const clearPin: HttpFunctionEntry = {
  name: "adminClearDevicePin",
  route: "admin/v1/devices/{id}/pin",
  methods: ["DELETE"],
  area: "admin",
  handler: endpoint({
    auth: "helpdesk",
    audit: { target: param("id"), summary: () => "certificate pin cleared" },
    params: deviceParams,
    async handle({ services, auth, params, log }) {
      const deviceId = params["id"] ?? "";
      if (!(await services.devicePins.clearPin(auth.realmId, deviceId))) throw new AppError("not-found", "This device has no pinned certificate", { code: "no-pin" });
      log.log("info", "device.pin-cleared", { realmId: auth.realmId, deviceId, by: auth.user?.userId ?? "" });
      return empty(204);
    },
  }),
};

export const adminDeviceTrustRoutes: HttpFunctionEntry[] = [preRegister, clearPin];
