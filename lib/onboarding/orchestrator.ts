import * as df from "durable-functions";
import type { OrchestrationContext, Task } from "durable-functions";
import type { FinishInput, PublishInput, RecordInput } from "./activities.js";
import { ONBOARDING_ACTIVITIES as A, onboardingInstanceId, stepEventName } from "./names.js";
import type { BitlockerDecision, SystemPlan, UserPlan } from "./plan.js";
import type { PlannedPackage, UndeliverableRequiredPackage } from "./required-packages.js";
import type { RunInput, RunRef } from "./run-ref.js";
import { phaseOf, stepIds, type FailureReason, type Phase, type PublishedStep, type RunFailure, type StepEvent, type StepKind } from "./steps.js";
import type { TransitionInput } from "./transitions.js";

/** What the orchestration returns. */
export interface RunOutcome {
  runId: string;
  status: "succeeded" | "failed";
  failure?: RunFailure;
}

type Steps<T> = Generator<Task, T, unknown>;
type StepSpec = Omit<PublishedStep, "publication">;

/** Storage activities ride out short outages (0.5 s, doubling, five attempts). */
function ioRetry(): df.RetryOptions {
  const options = new df.RetryOptions(500, 5);
  options.backoffCoefficient = 2;
  return options;
}

/** The escrow check's schedule: for example 30 s first, factor 2, 6 attempts (settings, scaled). */
function escrowRetry(firstMs: number, attempts: number): df.RetryOptions {
  const options = new df.RetryOptions(firstMs, attempts);
  options.backoffCoefficient = 2;
  return options;
}

const installStep = (p: PlannedPackage): StepSpec => ({
  id: p.installContext === "user" ? stepIds.installUser(p.packageId) : stepIds.install(p.packageId),
  kind: "install",
  packageId: p.packageId,
  version: p.version,
  installContext: p.installContext,
});

/** Names every undeliverable required package and why, e.g. `Contoso.Tool (missing), Contoso.Base (unsatisfiable)`, kept short. */
function undeliverableDetail(list: readonly UndeliverableRequiredPackage[]): string {
  const names = list.map((u) => `${u.packageId} (${u.reason})`).join(", ");
  const text = `Required packages cannot be delivered: ${names}`;
  return text.length > 480 ? `${text.slice(0, 477)}...` : text;
}

/** A failed step's detail, kept short for the run's failure. */
const detailOf = (event: StepEvent): { detail?: string } => (event.detail === undefined ? {} : { detail: event.detail.slice(0, 200) });

/**
 * The initial run of one device (API.md "The initial run"): every step is published for the agent's
 * poll, then awaited against a durable timer; a silent step is re-published up to the retry budget.
 * Only context.df here: all I/O is in activities, time comes from currentUtcDateTime.
 */
export function* onboardingOrchestrator(context: OrchestrationContext): Steps<RunOutcome> {
  const input = context.df.getInput<RunInput>();
  const { timing } = input;
  const run: RunRef = { realmId: input.realmId, deviceId: input.deviceId, runId: input.runId, attempt: input.attempt };
  const io = ioRetry();
  let seq = 0;
  let phase: Phase = "system";
  let kind: StepKind | undefined;
  // A single-step retry: every step before this one counts as done and is neither published nor awaited.
  let resumeAt = input.resumeFrom?.stepId;
  const skip = (stepId: string): boolean => {
    if (resumeAt === undefined) return false;
    if (resumeAt !== stepId) return true;
    resumeAt = undefined;
    return false;
  };

  const call = (name: string, payload: unknown): Task => context.df.callActivityWithRetry(name, io, payload);
  const record = (transition: TransitionInput, escrow?: RecordInput["escrow"]): Task =>
    call(A.record, { run, seq: ++seq, transition, ...(escrow === undefined ? {} : { escrow }) } satisfies RecordInput);

  function* finish(status: "succeeded" | "failed", failure?: RunFailure): Steps<RunOutcome> {
    const at = failure?.stepId === undefined || kind === undefined ? {} : { stepKind: kind };
    yield call(A.finish, { run, seq: ++seq, phase, status, ...at, ...(failure === undefined ? {} : { failure }) } satisfies FinishInput);
    return { runId: run.runId, status, ...(failure === undefined ? {} : { failure }) };
  }

  const fail = (reason: FailureReason, stepId?: string, extra: { detail?: string } = {}): Steps<RunOutcome> =>
    finish("failed", { reason, ...(stepId === undefined ? {} : { stepId }), ...extra });

  /** Publishes the step and waits for its answer; undefined when every publication went unanswered. */
  function* awaitStep(spec: StepSpec): Steps<StepEvent | undefined> {
    phase = phaseOf(spec);
    kind = spec.kind;
    for (let publication = 1; publication <= timing.stepRetries + 1; publication++) {
      yield call(A.publishStep, { run, seq: ++seq, step: { ...spec, publication } } satisfies PublishInput);
      const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + timing.stepTimeoutMs));
      const answer = context.df.waitForExternalEvent(stepEventName(spec.id));
      const winner: unknown = yield context.df.Task.any([answer, timer]);
      if (winner === answer) {
        timer.cancel();
        // The intake has written "step-answered" to the history already (one activity less per step).
        const event = answer.result as StepEvent;
        return event;
      }
      yield record({ event: "step-timed-out", phase, stepId: spec.id, stepKind: spec.kind, data: { publication } });
    }
    return undefined;
  }

  /** Runs one step; a failure outcome for it, or undefined to go on. */
  function* step(spec: StepSpec, failReason: FailureReason): Steps<{ event: StepEvent } | { outcome: RunOutcome }> {
    const event = yield* awaitStep(spec);
    if (event === undefined) return { outcome: yield* fail("step-timeout", spec.id) };
    if (event.outcome === "failed") return { outcome: yield* fail(failReason, spec.id, detailOf(event)) };
    return { event };
  }

  try {
    const plan = (yield call(A.loadPlan, { run, seq: ++seq, instanceId: onboardingInstanceId(run.realmId, run.deviceId) })) as SystemPlan;

    for (const check of plan.checks) {
      const spec: StepSpec = { id: stepIds.check(check.name), kind: "check", name: check.name, mode: check.mode };
      if (skip(spec.id)) continue;
      const event = yield* awaitStep(spec);
      if (event === undefined) return yield* fail("step-timeout", spec.id);
      if (event.outcome === "failed") {
        if (check.mode === "enforce") return yield* fail("check-failed", spec.id, detailOf(event));
        yield record({ event: "check-audited", phase, stepId: spec.id, stepKind: "check", outcome: "failed", reason: "audit" });
      }
    }

    const bitlocker = (yield call(A.bitlockerDecision, { run })) as BitlockerDecision;
    if (!bitlocker.applies) {
      yield record({ event: "step-skipped", phase, stepId: stepIds.bitlocker, stepKind: "bitlocker", reason: bitlocker.reason });
    } else if (!skip(stepIds.bitlocker)) {
      const done = yield* step({ id: stepIds.bitlocker, kind: "bitlocker" }, "bitlocker-failed");
      if ("outcome" in done) return done.outcome;
      if (done.event.data?.["escrow"] === "backend") {
        yield record({ event: "escrow-backend", phase, stepId: stepIds.bitlocker, stepKind: "bitlocker" }, { outcome: "backend" });
      } else {
        try {
          yield context.df.callActivityWithRetry(A.verifyEscrow, escrowRetry(timing.escrowFirstRetryMs, timing.escrowAttempts), { run });
          yield record({ event: "escrow-verified", phase, stepId: stepIds.bitlocker, stepKind: "bitlocker" }, { outcome: "verified" });
        } catch {
          yield record(
            { event: "escrow-missing", phase, stepId: stepIds.bitlocker, stepKind: "bitlocker", reason: "bitlocker-escrow", data: { attempts: timing.escrowAttempts } },
            { outcome: "missing", attempts: timing.escrowAttempts },
          );
          return yield* fail("bitlocker-escrow", stepIds.bitlocker);
        }
      }
    }

    if (plan.undeliverable !== undefined && plan.undeliverable.length > 0) {
      phase = "system";
      return yield* fail("required-undeliverable", undefined, { detail: undeliverableDetail(plan.undeliverable) });
    }

    for (const p of plan.systemPackages) {
      if (skip(installStep(p).id)) continue;
      const done = yield* step(installStep(p), "install-failed");
      if ("outcome" in done) return done.outcome;
    }

    if (!skip(stepIds.restart)) {
      const restarted = yield* step({ id: stepIds.restart, kind: "restart" }, "restart-failed");
      if ("outcome" in restarted) return restarted.outcome;
    }

    let userId: string | undefined;
    if (skip(stepIds.confirmUser)) userId = input.resumeFrom?.userId;
    else {
      const confirmed = yield* step({ id: stepIds.confirmUser, kind: "confirm-user" }, "confirm-user-failed");
      if ("outcome" in confirmed) return confirmed.outcome;
      userId = confirmed.event.userId;
    }
    if (userId === undefined) return yield* fail("confirm-user-failed", stepIds.confirmUser, { detail: "no user confirmed" });
    const user = (yield call(A.confirmUser, { run, userId })) as { primaryUser: string; primaryUserSet: boolean };
    const userSteps = (yield call(A.loadUserPlan, { run, userId })) as UserPlan;
    yield record({
      event: "user-confirmed",
      phase,
      stepId: stepIds.confirmUser,
      stepKind: "confirm-user",
      data: { userId, primaryUser: user.primaryUser, primaryUserSet: user.primaryUserSet, makeAdmin: userSteps.makeAdmin },
    });

    if (userSteps.legacyAuthProvider !== null && !skip(stepIds.secondIdentity)) {
      const done = yield* step({ id: stepIds.secondIdentity, kind: "second-identity" }, "second-identity-failed");
      if ("outcome" in done) return done.outcome;
    }

    if (userSteps.undeliverable !== undefined && userSteps.undeliverable.length > 0) {
      return yield* fail("required-undeliverable", undefined, { detail: undeliverableDetail(userSteps.undeliverable) });
    }

    for (const p of userSteps.userPackages) {
      if (skip(installStep(p).id)) continue;
      const done = yield* step(installStep(p), "install-failed");
      if ("outcome" in done) return done.outcome;
    }

    // The failed step is no longer in the plan: nothing was retried, so the run must not claim success.
    if (resumeAt !== undefined) return yield* fail("internal", undefined, { detail: `step ${resumeAt} is no longer in the plan; retry the whole run` });
    return yield* finish("succeeded");
  } catch (error) {
    // An activity failed past its retries (storage gone for long): end the run visibly rather than leave it "running".
    return yield* fail("internal", undefined, { detail: error instanceof Error ? error.message.slice(0, 200) : "unexpected failure" });
  }
}
