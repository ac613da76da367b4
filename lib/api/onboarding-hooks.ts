import type { InvocationContext } from "@azure/functions";
import type { AppServices } from "../app/services.js";
import type { Device } from "../devices/device.js";
import { ensureRun } from "../onboarding/run-starter.js";
import { onboardingStores } from "../onboarding/stores.js";
import { adminView, type AdminRunView } from "../onboarding/views.js";
import { errorFields } from "../telemetry/logger.js";

/** What enroll reports about the device's initial run. */
export interface OnboardingSummary {
  runId: string | null;
  status: "not-started" | "running" | "succeeded" | "failed";
}

/**
 * Starts the device's initial run at first enroll (a no-op when it exists) and summarises it. Never fails
 * enrollment: when the start cannot happen now, "not-started" is reported and the first poll of
 * GET /onboarding starts the run.
 */
export async function onboardingOnEnroll(services: AppServices, invocation: InvocationContext, device: Device): Promise<OnboardingSummary> {
  try {
    const run = await ensureRun(services, services.orchestrations(invocation), device);
    return { runId: run.runId, status: run.status };
  } catch (error) {
    services.log.log("warn", "onboarding.start-deferred", { realmId: device.realmId, deviceId: device.deviceId, ...errorFields(error) });
    return { runId: null, status: "not-started" };
  }
}

/** The initial run as an admin sees it (status, phase, current step, history, failure), or null when none exists. */
export async function onboardingForAdmin(services: AppServices, _invocation: InvocationContext, device: Device): Promise<AdminRunView | null> {
  const stores = onboardingStores(services.tables);
  const run = await stores.runs.get(device.realmId, device.deviceId);
  if (run === undefined) return null;
  return adminView(run, await stores.history.list(device.realmId, device.deviceId));
}
