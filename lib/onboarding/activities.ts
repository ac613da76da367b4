import { currentServices } from "../app/container.js";
import type { AppServices } from "../app/services.js";
import type { Device } from "../devices/device.js";
import type { ActivityEntry } from "../registry/types.js";
import { ONBOARDING_ACTIVITIES } from "./names.js";
import { bitlockerDecision, systemPlan, userPlan, type BitlockerDecision, type SystemPlan, type UserPlan } from "./plan.js";
import type { UndeliverableRequiredPackage } from "./required-packages.js";
import type { RunRecord } from "./run-store.js";
import type { RunRef } from "./run-ref.js";
import { phaseOf, type Phase, type PublishedStep, type RunFailure, type StepKind } from "./steps.js";
import { onboardingStores } from "./stores.js";
import { writeTransition, type TransitionInput } from "./transitions.js";

export interface PublishInput {
  run: RunRef;
  seq: number;
  step: PublishedStep;
}

export interface RecordInput {
  run: RunRef;
  seq: number;
  transition: TransitionInput;
  escrow?: { outcome: "verified" | "missing" | "backend"; attempts?: number };
}

export interface FinishInput {
  run: RunRef;
  seq: number;
  phase: Phase;
  status: "succeeded" | "failed";
  /** The kind of the step the run failed at. */
  stepKind?: StepKind;
  failure?: RunFailure;
}

const nowIso = (services: AppServices) => new Date(services.clock.now()).toISOString();

async function deviceOf(services: AppServices, run: RunRef): Promise<Device> {
  const device = await services.devices.get(run.realmId, run.deviceId);
  if (device === undefined) throw new Error(`device ${run.deviceId} is not registered`);
  return device;
}

/** A fresh record for this run (when the row is missing, e.g. a start that never wrote it). */
function freshRecord(run: RunRef, instanceId: string, at: string): RunRecord {
  return { ...run, instanceId, status: "running", phase: "system", startedAt: at, updatedAt: at };
}

/** Loads the system plan and marks the run started. */
async function loadPlan(input: { run: RunRef; seq: number; instanceId: string }): Promise<SystemPlan> {
  const services = await currentServices();
  const stores = onboardingStores(services.tables);
  const device = await deviceOf(services, input.run);
  const plan = await systemPlan(services, device);
  reportUndeliverable(services, input.run, "system", plan.undeliverable);
  const at = nowIso(services);
  await stores.runs.update(input.run.realmId, input.run.deviceId, (current) => (current === undefined ? freshRecord(input.run, input.instanceId, at) : undefined));
  await writeTransition(services, stores, input.run, input.seq, {
    event: "run-started",
    phase: "system",
    data: { checks: plan.checks.map((c) => `${c.name}:${c.mode}`).join(","), systemPackages: plan.systemPackages.length },
  }, "running");
  return plan;
}

/** Makes the step the current one of the run (only while this run is the device's current attempt). */
async function publishStep(input: PublishInput): Promise<void> {
  const services = await currentServices();
  const stores = onboardingStores(services.tables);
  const { run, step } = input;
  const bootIdBefore = step.kind === "restart" ? (await deviceOf(services, run)).state?.bootId : undefined;
  const at = nowIso(services);
  const phase = phaseOf(step);
  await stores.runs.update(run.realmId, run.deviceId, (current) => {
    if (current === undefined || current.runId !== run.runId || current.status !== "running") return undefined;
    const { bootIdBefore: _old, ...rest } = current;
    return { ...rest, phase, step, stepSeq: input.seq, stepPublishedAt: at, updatedAt: at, ...(bootIdBefore === undefined ? {} : { bootIdBefore }) };
  });
  await writeTransition(services, stores, run, input.seq, {
    event: step.publication === 1 ? "step-published" : "step-republished",
    phase,
    stepId: step.id,
    stepKind: step.kind,
    ...(step.publication === 1 ? {} : { data: { publication: step.publication } }),
  }, "running");
}

/** Writes a transition (and the escrow outcome, when there is one). */
async function record(input: RecordInput): Promise<void> {
  const services = await currentServices();
  await writeTransition(services, onboardingStores(services.tables), input.run, input.seq, input.transition, "running");
  if (input.escrow !== undefined) {
    services.telemetry.event("EscrowOutcome", {
      realmId: input.run.realmId,
      deviceId: input.run.deviceId,
      runId: input.run.runId,
      outcome: input.escrow.outcome,
      ...(input.escrow.attempts === undefined ? {} : { attempts: input.escrow.attempts }),
    });
  }
}

async function decideBitlocker(input: { run: RunRef }): Promise<BitlockerDecision> {
  const services = await currentServices();
  return await bitlockerDecision(services, await deviceOf(services, input.run));
}

/** Succeeds when the directory (Entra ID, or the local directory at home) holds a recovery key for the device; throws otherwise, so the orchestrator's RetryOptions try again. */
async function verifyEscrow(input: { run: RunRef }): Promise<boolean> {
  const services = await currentServices();
  if (await services.directory.bitlockerKeyExists(input.run.realmId, input.run.deviceId)) return true;
  throw new Error("no recovery key for the device in the directory yet");
}

/** Sets the confirming user as primary user when the device has none. */
async function confirmUser(input: { run: RunRef; userId: string }): Promise<{ primaryUser: string; primaryUserSet: boolean }> {
  const services = await currentServices();
  let primaryUserSet = false;
  const device = await services.devices.update(input.run.realmId, input.run.deviceId, (current) => {
    primaryUserSet = false;
    if (current === undefined || current.primaryUser !== undefined) return undefined;
    primaryUserSet = true;
    return { ...current, primaryUser: input.userId };
  });
  if (device?.primaryUser === undefined) throw new Error(`device ${input.run.deviceId} is not registered`);
  return { primaryUser: device.primaryUser, primaryUserSet };
}

async function loadUserPlan(input: { run: RunRef; userId: string }): Promise<UserPlan> {
  const services = await currentServices();
  const plan = await userPlan(services, await deviceOf(services, input.run), input.userId);
  reportUndeliverable(services, input.run, "user", plan.undeliverable);
  return plan;
}

/** One telemetry event per required package the run cannot deliver (the workbook lists them). */
function reportUndeliverable(services: AppServices, run: RunRef, phase: Phase, list: readonly UndeliverableRequiredPackage[] | undefined): void {
  for (const u of list ?? []) {
    services.telemetry.event("RequiredPackageUndeliverable", { realmId: run.realmId, deviceId: run.deviceId, runId: run.runId, packageId: u.packageId, reason: u.reason, phase });
  }
}

/** Ends the run: publishes the final status (no current step) and writes the last transition. */
async function finish(input: FinishInput): Promise<void> {
  const services = await currentServices();
  const stores = onboardingStores(services.tables);
  const { run } = input;
  const at = nowIso(services);
  await stores.runs.update(run.realmId, run.deviceId, (current) => {
    if (current === undefined || current.runId !== run.runId) return undefined;
    const { step: _step, stepSeq: _seq, bootIdBefore: _boot, failure: _failure, ...rest } = current;
    return { ...rest, status: input.status, phase: input.phase, updatedAt: at, finishedAt: at, ...(input.failure === undefined ? {} : { failure: input.failure }) };
  });
  await writeTransition(services, stores, run, input.seq, {
    event: input.status === "succeeded" ? "run-succeeded" : "run-failed",
    phase: input.phase,
    ...(input.failure?.stepId === undefined ? {} : { stepId: input.failure.stepId }),
    ...(input.stepKind === undefined ? {} : { stepKind: input.stepKind }),
    ...(input.failure === undefined ? {} : { reason: input.failure.reason }),
    ...(input.failure?.detail === undefined ? {} : { detail: input.failure.detail }),
  }, input.status);
}

const A = ONBOARDING_ACTIVITIES;

// Activity inputs come from our own orchestrator (never from the network), so they are typed, not re-validated.
/** The initial run's activities, as the registry mounts them. */
export const onboardingActivityEntries: ActivityEntry[] = [
  { name: A.loadPlan, handler: (input) => loadPlan(input as Parameters<typeof loadPlan>[0]) },
  { name: A.publishStep, handler: (input) => publishStep(input as PublishInput) },
  { name: A.record, handler: (input) => record(input as RecordInput) },
  { name: A.bitlockerDecision, handler: (input) => decideBitlocker(input as { run: RunRef }) },
  { name: A.verifyEscrow, handler: (input) => verifyEscrow(input as { run: RunRef }) },
  { name: A.confirmUser, handler: (input) => confirmUser(input as { run: RunRef; userId: string }) },
  { name: A.loadUserPlan, handler: (input) => loadUserPlan(input as { run: RunRef; userId: string }) },
  { name: A.finish, handler: (input) => finish(input as FinishInput) },
];
