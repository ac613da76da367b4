import { z } from "zod";
import { configOf, currentConfig, enrolledDevice, signedConfig, type ConfigDeps } from "../agent-config/config-service.js";
import { effectivePolicyFor } from "../agent-config/effective-policy.js";
import type { AppServices } from "../app/services.js";
import { AppError } from "../core/errors.js";
import { enrollDevice } from "../devices/enrollment.js";
import { deviceRetired } from "../devices/device-retirement.js";
import { acceptStateReport } from "../devices/state-intake.js";
import { stateReportSchema } from "../devices/state-report-schema.js";
import { endpoint } from "../http/endpoint.js";
import { etagOf, ifNoneMatchHits } from "../http/etag.js";
import { signedDocumentReply } from "../http/signed-reply.js";
import { empty, json } from "../http/reply.js";
import { parseInput } from "../http/validation.js";
import { compareVersions } from "../packages/nuget-version-compare.js";
import { tryParseVersion } from "../packages/nuget-version.js";
import type { HttpFunctionEntry } from "../registry/types.js";
import { onboardingOnEnroll } from "./onboarding-hooks.js";

/** The configuration carrying a "sync now" was served (or the device already had it): the flag is done, unless a newer request came meanwhile. */
async function clearSyncRequest(services: AppServices, realmId: string, deviceId: string, requested: string): Promise<void> {
  await services.devices.update(realmId, deviceId, (d) => {
    if (d?.syncRequestedAt !== requested) return undefined;
    const { syncRequestedAt: _done, ...rest } = d;
    return rest;
  });
}

const configDeps = (s: AppServices): ConfigDeps => ({ devices: s.devices, policies: s.policies, directory: s.directory, realms: s.realms, documents: s.documents });

const enroll: HttpFunctionEntry = {
  name: "agentEnroll",
  route: "agent/v1/enroll",
  methods: ["POST"],
  area: "agent",
  durableClient: true,
  handler: endpoint({
    auth: "device",
    pinOnFirstUse: true,
    async handle({ services, auth, invocation }) {
      const device = auth.device;
      if (device === undefined) throw new AppError("unauthorized", "Device assertion required");
      // Retirement is final for a device id: a re-imaged machine joins Entra ID again under a new device id.
      if ((await services.retiredDevices.get(auth.realmId, device.deviceId)) !== undefined) throw deviceRetired();
      const result = await enrollDevice(services, {
        realmId: auth.realmId,
        deviceId: device.deviceId,
        thumbprint: device.thumbprint,
        ...(auth.user ? { userId: auth.user.userId } : {}),
      });
      const onboarding = await onboardingOnEnroll(services, invocation, result.device);
      return json({ deviceId: result.device.deviceId, primaryUser: result.device.primaryUser ?? null, onboarding }, result.created ? 201 : 200);
    },
  }),
};

const config: HttpFunctionEntry = {
  name: "agentConfig",
  route: "agent/v1/config",
  methods: ["GET"],
  area: "agent",
  handler: endpoint({
    auth: "device",
    async handle({ services, auth, request }) {
      const deps = configDeps(services);
      const current = await currentConfig(deps, auth);
      const ifNoneMatch = request.headers.get("if-none-match");
      const notModified = ifNoneMatchHits(ifNoneMatch, etagOf(current.hash));
      services.telemetry.event("ConfigServed", { realmId: auth.realmId, deviceId: current.device.deviceId, notModified, hash: current.hash });
      const reply = await signedDocumentReply(ifNoneMatch, current.hash, async () => (await signedConfig(deps, current)).jws);
      const requested = current.device.syncRequestedAt;
      if (requested !== undefined) await clearSyncRequest(services, current.device.realmId, current.device.deviceId, requested);
      return reply;
    },
  }),
};

const keys: HttpFunctionEntry = {
  name: "agentKeys",
  route: "agent/v1/keys",
  methods: ["GET"],
  area: "agent",
  handler: endpoint({
    auth: "none",
    perAddressLimit: true,
    async handle({ services, request }) {
      const realmId = parseInput(z.object({ realm: z.uuid() }), { realm: request.query.get("realm") ?? undefined }, "query").realm.toLowerCase();
      const realm = await services.realms.get(realmId);
      if (realm === undefined || realm.status === "deleted") throw new AppError("not-found", "Unknown realm");
      if (realm.status === "active") await services.keyRing.currentSigner(realmId);
      return json(await services.keyRing.jwks(realmId), 200, { "content-type": "application/jwk-set+json", "cache-control": "public, max-age=300" });
    },
  }),
};

const state: HttpFunctionEntry = {
  name: "agentState",
  route: "agent/v1/state",
  methods: ["POST"],
  area: "agent",
  handler: endpoint({
    auth: "device",
    body: stateReportSchema,
    unknownFields: "ignore",
    async handle({ services, auth, body }) {
      const device = auth.device;
      if (device === undefined) throw new AppError("unauthorized", "Device assertion required");
      const result = await acceptStateReport(services, auth.realmId, device.deviceId, body);
      if (result === undefined) throw new AppError("not-found", "This device has not enrolled; POST /api/agent/v1/enroll first", { code: "not-enrolled" });
      const current = await configOf(configDeps(services), auth, result.device);
      return json({ accepted: result.accepted, nextReportSeconds: current.document.reportIntervalSeconds, configHash: current.hash }, 202);
    },
  }),
};

const clientUpdate: HttpFunctionEntry = {
  name: "agentClientUpdate",
  route: "agent/v1/client/update",
  methods: ["GET"],
  area: "agent",
  handler: endpoint({
    auth: "device",
    async handle({ services, auth, request }) {
      const device = await enrolledDevice(services.devices, auth);
      const { policy } = await effectivePolicyFor(services, device, auth.user?.userId);
      const release = await services.releases.get(auth.realmId, policy.releaseChannel);
      if (release === undefined) return empty(204);
      const current = tryParseVersion(request.query.get("current") ?? "");
      const offered = tryParseVersion(release.version);
      if (current !== undefined && offered !== undefined && compareVersions(offered, current) <= 0) return empty(204);
      return json({ version: release.version, url: release.url, sha256: release.sha256, channel: policy.releaseChannel });
    },
  }),
};

export const agentConfigRoutes: HttpFunctionEntry[] = [enroll, config, keys, state, clientUpdate];
