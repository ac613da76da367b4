import { z } from "zod";
import { AppError } from "../core/errors.js";
import { param } from "../http/audit-declaration.js";
import { endpoint } from "../http/endpoint.js";
import { json } from "../http/reply.js";
import { ensureRun, retryRun } from "../onboarding/run-starter.js";
import { acceptStepResult } from "../onboarding/step-intake.js";
import { stepResultBodySchema } from "../onboarding/step-result-schema.js";
import { onboardingStores } from "../onboarding/stores.js";
import { agentView, rolloutView } from "../onboarding/views.js";
import type { HttpFunctionEntry } from "../registry/types.js";
import type { AuthContext } from "../http/resolve-auth.js";
import { deviceIdParam } from "./device-id-param.js";

function deviceIdOf(auth: AuthContext): string {
  if (auth.device === undefined) throw new AppError("unauthorized", "Device assertion required");
  return auth.device.deviceId;
}

/** GET /onboarding reads the published step (no orchestration query per poll); the first poll of a device without a run starts it. */
const currentStep: HttpFunctionEntry = {
  name: "agentOnboarding",
  route: "agent/v1/onboarding",
  methods: ["GET"],
  area: "agent",
  durableClient: true,
  handler: endpoint({
    auth: "device",
    async handle({ services, auth, invocation }) {
      const deviceId = deviceIdOf(auth);
      const published = await onboardingStores(services.tables).runs.get(auth.realmId, deviceId);
      if (published !== undefined && (published.step !== undefined || published.status !== "running")) return json(agentView(published));
      const device = await services.devices.get(auth.realmId, deviceId);
      if (device === undefined) throw new AppError("not-found", "This device has not enrolled; POST /api/agent/v1/enroll first", { code: "not-enrolled" });
      return json(agentView(await ensureRun(services, services.orchestrations(invocation), device)));
    },
  }),
};

const stepResult: HttpFunctionEntry = {
  name: "agentOnboardingStepResult",
  route: "agent/v1/onboarding/{runId}/steps/{stepId}",
  methods: ["POST"],
  area: "agent",
  durableClient: true,
  handler: endpoint({
    auth: "device",
    body: stepResultBodySchema,
    unknownFields: "ignore",
    async handle({ services, auth, params, body, invocation }) {
      const result = await acceptStepResult(services, services.orchestrations(invocation), {
        realmId: auth.realmId,
        deviceId: deviceIdOf(auth),
        ...(auth.user === undefined ? {} : { userId: auth.user.userId }),
        runId: params["runId"] ?? "",
        stepId: params["stepId"] ?? "",
        body,
      });
      return json({ accepted: true, repeated: result.repeated }, 202);
    },
  }),
};

const rollout: HttpFunctionEntry = {
  name: "adminOnboardingRollout",
  route: "admin/v1/onboarding",
  methods: ["GET"],
  area: "admin",
  handler: endpoint({
    auth: "reader",
    async handle({ services, auth }) {
      return json(rolloutView(await onboardingStores(services.tables).runs.list(auth.realmId)));
    },
  }),
};

const retry: HttpFunctionEntry = {
  name: "adminOnboardingRetry",
  route: "admin/v1/devices/{id}/onboarding/retry",
  methods: ["POST"],
  area: "admin",
  durableClient: true,
  handler: endpoint({
    auth: "helpdesk",
    audit: { target: param("id"), summary: () => "initial run restarted" },
    async handle({ services, auth, params, invocation }) {
      const deviceId = deviceIdParam(params["id"]);
      if ((await services.devices.get(auth.realmId, deviceId)) === undefined) throw new AppError("not-found", "No such device");
      const run = await retryRun(services, services.orchestrations(invocation), auth.realmId, deviceId);
      return json({ runId: run.runId, attempt: run.attempt, status: run.status }, 202);
    },
  }),
};

/**
 * Retries only the failed step of a failed run: a new attempt that starts at that step, the earlier steps counting as
 * done (a passed restart is not repeated; user steps run for the device's primary user). 409 `no-failed-step` when the
 * run failed outside a step.
 */
const retryStep: HttpFunctionEntry = {
  name: "adminOnboardingRetryStep",
  route: "admin/v1/devices/{id}/onboarding/retry-step",
  methods: ["POST"],
  area: "admin",
  durableClient: true,
  handler: endpoint({
    auth: "helpdesk",
    response: z.object({ runId: z.string(), attempt: z.number().int(), status: z.string(), resumeFrom: z.string() }),
    audit: { target: param("id"), summary: () => "failed initial-run step retried" },
    async handle({ services, auth, params, invocation, auditNote }) {
      const deviceId = (params["id"] ?? "").toLowerCase();
      const device = await services.devices.get(auth.realmId, deviceId);
      if (device === undefined) throw new AppError("not-found", "No such device");
      const userId = device.primaryUser;
      const run = await retryRun(services, services.orchestrations(invocation), auth.realmId, deviceId, { onlyFailedStep: userId === undefined ? {} : { userId } });
      const resumeFrom = run.resumeFrom?.stepId ?? "";
      auditNote.summary = `initial-run step ${resumeFrom} retried`;
      return json({ runId: run.runId, attempt: run.attempt, status: run.status, resumeFrom }, 202);
    },
  }),
};

/** The realm's admins only: the device's escrowed recovery keys, unwrapped (devices not joined to Entra ID). */
const recoveryKeys: HttpFunctionEntry = {
  name: "adminDeviceRecoveryKeys",
  route: "admin/v1/devices/{id}/recovery-keys",
  methods: ["GET"],
  area: "admin",
  handler: endpoint({
    auth: "helpdesk",
    audit: { target: param("id"), summary: () => "recovery keys read" },
    async handle({ services, auth, params, auditNote }) {
      const deviceId = deviceIdParam(params["id"]);
      if ((await services.devices.get(auth.realmId, deviceId)) === undefined) throw new AppError("not-found", "No such device");
      const keys = await onboardingStores(services.tables).recoveryKeys.list(auth.realmId, deviceId);
      const decoder = new TextDecoder();
      const out = [];
      for (const k of keys) {
        const recoveryKey = decoder.decode(await services.keyWrapper.unwrapKey(auth.realmId, k.wrapped));
        out.push({ keyId: k.keyId, protectorId: k.protectorId ?? null, runId: k.runId, escrowedAt: k.escrowedAt, recoveryKey });
      }
      auditNote.summary = `${out.length} recovery key(s) read`;
      return json({ keys: out });
    },
  }),
};

/** Agent and admin routes of the initial run. */
export const onboardingRoutes: HttpFunctionEntry[] = [currentStep, stepResult, rollout, retry, retryStep, recoveryKeys];
