import { z } from "zod";
import { AppError } from "../core/errors.js";
import { endpoint } from "../http/endpoint.js";
import { json } from "../http/reply.js";
import { parseInput } from "../http/validation.js";
import { MAX_PAGE_TOKEN_CHARS } from "../storage/page-token.js";
import type { HttpFunctionEntry } from "../registry/types.js";
import { onboardingForAdmin } from "./onboarding-hooks.js";
import { deviceIdParam } from "./device-id-param.js";

const listQuery = z.object({
  pageSize: z.coerce.number().int().min(1).max(500).default(100),
  continuationToken: z.string().max(MAX_PAGE_TOKEN_CHARS).optional(),
});

const listDevices: HttpFunctionEntry = {
  name: "adminListDevices",
  route: "admin/v1/devices",
  methods: ["GET"],
  area: "admin",
  handler: endpoint({
    auth: "reader",
    async handle({ services, auth, request }) {
      const query = parseInput(listQuery, Object.fromEntries(request.query.entries()), "query");
      const page = await services.devices.list(auth.realmId, query.pageSize, query.continuationToken);
      return json({
        devices: page.devices.map((d) => ({
          deviceId: d.deviceId,
          primaryUser: d.primaryUser ?? null,
          enrolledAt: d.enrolledAt,
          lastSeenAt: d.lastSeenAt ?? null,
          stale: d.stale,
          agentVersion: d.state?.agentVersion ?? null,
        })),
        continuationToken: page.continuationToken ?? null,
      });
    },
  }),
};

const getDevice: HttpFunctionEntry = {
  name: "adminGetDevice",
  route: "admin/v1/devices/{id}",
  methods: ["GET"],
  area: "admin",
  durableClient: true,
  handler: endpoint({
    auth: "reader",
    async handle({ services, auth, params, invocation }) {
      const deviceId = deviceIdParam(params["id"]);
      const device = await services.devices.get(auth.realmId, deviceId);
      if (device === undefined) throw new AppError("not-found", "No such device");
      const reports = await services.devices.listReports(auth.realmId, deviceId);
      const { thumbprint: _t, reports: _r, state: _s, ...visible } = device;
      const state = await services.devices.latestReport(auth.realmId, deviceId);
      return json({
        ...visible,
        ...(state === undefined ? {} : { state }),
        reports: reports.map((r) => ({ receivedAt: r.receivedAt, sequence: r.sequence, reportedAt: r.reportedAt })),
        onboarding: await onboardingForAdmin(services, invocation, device),
      });
    },
  }),
};

export const adminDeviceRoutes: HttpFunctionEntry[] = [listDevices, getDevice];
