import type { InvocationContext } from "@azure/functions";
import type { AppServices } from "../app/services.js";
import type { Device } from "../devices/device.js";

/** What enroll reports about the device's initial run. */
export interface OnboardingSummary {
  runId: string | null;
  status: "not-started" | "running" | "succeeded" | "failed";
}

/** Starts the device's initial run at first enroll (a no-op when it exists) and summarises it. */
export async function onboardingOnEnroll(_services: AppServices, _invocation: InvocationContext, _device: Device): Promise<OnboardingSummary> {
  return { runId: null, status: "not-started" };
}

/** The initial run as an admin sees it (status, phase, current step, history, failure), or null when none exists. */
export async function onboardingForAdmin(_services: AppServices, _invocation: InvocationContext, _device: Device): Promise<unknown> {
  return null;
}
