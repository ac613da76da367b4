import type { AppServices } from "../app/services.js";
import type { HistoryEntry } from "./history-store.js";
import type { OnboardingStores } from "./stores.js";
import type { RunRef } from "./run-ref.js";
import type { RunStatus } from "./steps.js";

/** A transition as the orchestrator describes it; the activity adds run, position and time. */
export type TransitionInput = Omit<HistoryEntry, "runId" | "attempt" | "seq" | "at" | "answer">;

/** Writes one transition to the device's history and emits it as OnboardingTransition. Idempotent per run and seq. */
export async function writeTransition(
  services: Pick<AppServices, "clock" | "telemetry">,
  stores: Pick<OnboardingStores, "history">,
  run: RunRef,
  seq: number,
  transition: TransitionInput,
  status: RunStatus,
  options: { answer?: true } = {},
): Promise<void> {
  const entry: HistoryEntry = { ...transition, runId: run.runId, attempt: run.attempt, seq, ...options, at: new Date(services.clock.now()).toISOString() };
  await stores.history.put(run.realmId, run.deviceId, entry);
  services.telemetry.event("OnboardingTransition", {
    realmId: run.realmId,
    deviceId: run.deviceId,
    runId: run.runId,
    status,
    phase: transition.phase,
    event: transition.event,
    ...(transition.stepId === undefined ? {} : { stepId: transition.stepId }),
    ...(transition.stepKind === undefined ? {} : { stepKind: transition.stepKind }),
    ...(transition.outcome === undefined ? {} : { outcome: transition.outcome }),
    ...(transition.reason === undefined ? {} : { reason: transition.reason }),
  });
}
