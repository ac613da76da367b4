import type { AppServices } from "../app/services.js";
import { AppError } from "../core/errors.js";
import type { Device } from "../devices/device.js";
import type { OrchestrationClient } from "../durable/orchestration-client.js";
import { ONBOARDING_ORCHESTRATOR, onboardingInstanceId, onboardingRunId } from "./names.js";
import type { RunInput } from "./run-ref.js";
import type { RunRecord } from "./run-store.js";
import { onboardingStores } from "./stores.js";
import { runTimingFrom } from "./timing.js";

type StartDeps = Pick<AppServices, "tables" | "settings" | "clock">;

/** Starts (or, for a finished instance, restarts) the orchestration of a run record. */
export async function startInstance(deps: StartDeps, client: OrchestrationClient, record: RunRecord): Promise<void> {
  const input: RunInput = {
    realmId: record.realmId,
    deviceId: record.deviceId,
    runId: record.runId,
    attempt: record.attempt,
    timing: runTimingFrom(deps.settings),
    ...(record.resumeFrom === undefined ? {} : { resumeFrom: record.resumeFrom }),
  };
  // "exists": the instance is already running (a second start is a no-op).
  await client.startNew(ONBOARDING_ORCHESTRATOR, record.instanceId, input);
}

function newRecord(deps: StartDeps, realmId: string, deviceId: string, attempt: number): RunRecord {
  const at = new Date(deps.clock.now()).toISOString();
  const instanceId = onboardingInstanceId(realmId, deviceId);
  return { realmId, deviceId, instanceId, attempt, runId: onboardingRunId(instanceId, attempt), status: "running", phase: "system", startedAt: at, updatedAt: at };
}

/**
 * The device's run, started when it has none. The run record is written before the orchestration
 * starts; a record whose run has not published a step yet is started again (a no-op while it runs),
 * which heals a start lost between the two writes.
 */
export async function ensureRun(deps: StartDeps, client: OrchestrationClient, device: Device): Promise<RunRecord> {
  const stores = onboardingStores(deps.tables);
  const existing = await stores.runs.get(device.realmId, device.deviceId);
  if (existing !== undefined) {
    if (existing.status === "running" && existing.step === undefined) await startInstance(deps, client, existing);
    return existing;
  }
  const record = newRecord(deps, device.realmId, device.deviceId, 1);
  if ((await stores.runs.create(record)) === "exists") {
    const other = await stores.runs.get(device.realmId, device.deviceId);
    if (other === undefined) throw new Error("a run record vanished after it was created");
    return other;
  }
  await startInstance(deps, client, record);
  return record;
}

/**
 * Starts a new attempt of a failed run (new runId): the whole run, or with `onlyFailedStep` an attempt that starts at
 * the failed step (the steps before it count as done, so a passed restart is not repeated). Throws AppError not-found
 * when the device has no run, conflict when it is running or succeeded, or (single step) when the failure names no step.
 */
export async function retryRun(
  deps: StartDeps,
  client: OrchestrationClient,
  realmId: string,
  deviceId: string,
  options: { onlyFailedStep?: { userId?: string } } = {},
): Promise<RunRecord> {
  const stores = onboardingStores(deps.tables);
  let refused: RunRecord["status"] | "absent" | "no-step" | undefined;
  const next = await stores.runs.update(realmId, deviceId, (current) => {
    refused = current === undefined ? "absent" : current.status === "failed" ? undefined : current.status;
    if (current === undefined || refused !== undefined) return undefined;
    const record = newRecord(deps, realmId, deviceId, current.attempt + 1);
    if (options.onlyFailedStep === undefined) return record;
    const stepId = current.failure?.stepId;
    if (stepId === undefined) {
      refused = "no-step";
      return undefined;
    }
    const userId = options.onlyFailedStep.userId;
    return { ...record, resumeFrom: { stepId, ...(userId === undefined ? {} : { userId }) } };
  });
  if (refused === "absent") throw new AppError("not-found", "The device has no initial run", { code: "no-run" });
  if (refused === "no-step") throw new AppError("conflict", "The run did not fail at a step; retry the whole run", { code: "no-failed-step" });
  if (refused !== undefined || next === undefined) throw new AppError("conflict", `The initial run is ${refused ?? "unknown"}; only a failed run can be retried`, { code: "run-not-failed" });
  // When the failed attempt's instance is still finishing, this start is a no-op; the device's next poll starts it (ensureRun).
  await startInstance(deps, client, next);
  return next;
}
