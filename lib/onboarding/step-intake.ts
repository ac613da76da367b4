import type { AppServices } from "../app/services.js";
import { AppError, conflict, notFound } from "../core/errors.js";
import type { OrchestrationClient } from "../durable/orchestration-client.js";
import { unknownFieldTallyFor } from "../telemetry/unknown-field-tally.js";
import { stepEventName } from "./names.js";
import type { RunRecord } from "./run-store.js";
import { parseStepData, resultHash, type StepResultBody } from "./step-result-schema.js";
import { USER_STEP_KINDS, type PublishedStep, type StepEvent } from "./steps.js";
import { onboardingStores, type OnboardingStores } from "./stores.js";
import { writeTransition } from "./transitions.js";

export interface StepAnswerInput {
  realmId: string;
  deviceId: string;
  /** The signed-in user of the request (required for user steps). */
  userId?: string;
  runId: string;
  stepId: string;
  body: StepResultBody;
}

type IntakeDeps = Pick<AppServices, "tables" | "clock" | "keyWrapper" | "telemetry" | "realms">;

/** Writes the answer to the device's history right after the step's publication (idempotent: same row each time). */
async function recordAnswer(deps: IntakeDeps, stores: OnboardingStores, run: RunRecord, step: PublishedStep, event: StepEvent): Promise<void> {
  await writeTransition(
    deps,
    stores,
    run,
    run.stepSeq ?? 0,
    {
      event: "step-answered",
      phase: run.phase,
      stepId: step.id,
      stepKind: step.kind,
      outcome: event.outcome,
      ...(event.detail === undefined ? {} : { detail: event.detail }),
      ...(event.data === undefined ? {} : { data: event.data }),
    },
    "running",
    { answer: true },
  );
}

/**
 * Validates the answer against the step, escrows a recovery key of a device not joined to Entra ID
 * (wrapped at once, the clear key dropped), and builds the secret-free event for the orchestrator.
 */
async function eventFor(deps: IntakeDeps, stores: OnboardingStores, run: RunRecord, step: PublishedStep, input: StepAnswerInput, escrow: boolean): Promise<StepEvent> {
  const parsed = parseStepData(step.kind, input.body, (ignored) => unknownFieldTallyFor(deps.telemetry, deps.clock).record("agentOnboardingStepResult", ignored));
  if (USER_STEP_KINDS.includes(step.kind) && input.userId === undefined) {
    throw new AppError("unauthorized", "This step needs the signed-in user's token", { code: "user-required" });
  }
  const base: StepEvent = {
    runId: run.runId,
    stepId: step.id,
    outcome: input.body.outcome,
    ...(input.body.detail === undefined ? {} : { detail: input.body.detail }),
    ...(input.userId === undefined ? {} : { userId: input.userId }),
  };
  if (parsed.kind !== "bitlocker") {
    const data = parsed.data;
    if (step.kind === "restart" && input.body.outcome === "succeeded" && run.bootIdBefore !== undefined && data?.["bootId"] === run.bootIdBefore) {
      throw conflict("The device reports the boot it had before the restart; answer after the new boot", "boot-not-new");
    }
    return data === undefined || Object.keys(data).length === 0 ? base : { ...base, data };
  }
  const d = parsed.data;
  // Where the key goes follows the realm's directory mode (set by the operator), never the device's or a policy's say.
  const backendEscrow = (await deps.realms.get(run.realmId))?.noGraph === true;
  if (!backendEscrow && d?.recoveryKey !== undefined) {
    throw new AppError("validation", "This realm escrows BitLocker recovery keys to Entra ID; the back-end does not take them", { code: "escrow-to-entra" });
  }
  if (backendEscrow && input.body.outcome === "succeeded" && d?.recoveryKey === undefined) {
    throw new AppError("validation", "This realm has no Graph: send the recovery key for escrow to the back-end", { code: "escrow-to-backend" });
  }
  if (d === undefined) return base;
  const notJoined = d.recoveryKey !== undefined;
  if (d.recoveryKey !== undefined && escrow && input.body.outcome === "succeeded") {
    const wrapped = await deps.keyWrapper.wrapKey(run.realmId, new TextEncoder().encode(d.recoveryKey));
    await stores.recoveryKeys.put(run.realmId, run.deviceId, {
      keyId: d.keyId,
      runId: run.runId,
      escrowedAt: new Date(deps.clock.now()).toISOString(),
      wrapped,
      ...(d.protectorId === undefined ? {} : { protectorId: d.protectorId }),
    });
  }
  return {
    ...base,
    data: { keyId: d.keyId, joinedToEntra: !notJoined, escrow: notJoined ? "backend" : "entra", ...(d.protectorId === undefined ? {} : { protectorId: d.protectorId }) },
  };
}

/**
 * Takes the agent's result for a step: refused (409) unless the step is the run's current one; recorded
 * once per run and step; an identical repeat is accepted again (and re-delivered while the step is current),
 * a different one refused. Throws AppError not-found when the device has no run.
 */
export async function acceptStepResult(deps: IntakeDeps, client: OrchestrationClient, input: StepAnswerInput): Promise<{ repeated: boolean }> {
  const stores = onboardingStores(deps.tables);
  const run = await stores.runs.get(input.realmId, input.deviceId);
  if (run === undefined) throw notFound("The device has no initial run");
  // A run id of another device (or realm) does not exist for this caller; an earlier attempt of its own is merely not current.
  if (!input.runId.startsWith(`${run.instanceId}-r`)) throw notFound("No such run");
  if (run.runId !== input.runId) throw conflict("This run is not the device's current run", "not-current-run");
  const hash = resultHash(input.body);
  const current = run.status === "running" && run.step?.id === input.stepId ? run.step : undefined;

  const prior = await stores.results.get(input.realmId, input.deviceId, input.runId, input.stepId);
  if (prior !== undefined) {
    if (prior.hash !== hash) throw conflict("A different result was already recorded for this step", "result-differs");
    // The first delivery may have been lost (a crash between recording and raising): deliver again; the orchestrator takes one.
    if (current !== undefined) {
      const event = await eventFor(deps, stores, run, current, input, false);
      await recordAnswer(deps, stores, run, current, event);
      await client.raiseEvent(run.instanceId, stepEventName(current.id), event);
    }
    return { repeated: true };
  }
  if (current === undefined) throw conflict("This step is not the run's current step", "not-current-step");

  const event = await eventFor(deps, stores, run, current, input, true);
  const created = await stores.results.create(input.realmId, input.deviceId, input.runId, input.stepId, {
    hash,
    outcome: input.body.outcome,
    receivedAt: new Date(deps.clock.now()).toISOString(),
  });
  if (created !== "created" && created.hash !== hash) throw conflict("A different result was already recorded for this step", "result-differs");
  await recordAnswer(deps, stores, run, current, event);
  await client.raiseEvent(run.instanceId, stepEventName(current.id), event);
  return { repeated: created !== "created" };
}
