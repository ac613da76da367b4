import type { HistoryEntry } from "./history-store.js";
import type { RunRecord } from "./run-store.js";
import type { PublishedStep, RunFailure } from "./steps.js";

/** GET /api/agent/v1/onboarding (API.md): the run and the step to do now (null while none is published or once it ended). */
export interface AgentRunView {
  runId: string;
  status: RunRecord["status"];
  phase: RunRecord["phase"];
  step: PublishedStep | null;
  failure?: RunFailure;
}

/** The agent's view of a run record. */
export function agentView(run: RunRecord): AgentRunView {
  return {
    runId: run.runId,
    status: run.status,
    phase: run.phase,
    step: run.status === "running" ? (run.step ?? null) : null,
    ...(run.failure === undefined ? {} : { failure: run.failure }),
  };
}

/** The admin's view of a device's run: status, phase, current step, failure and every transition. */
export interface AdminRunView extends AgentRunView {
  attempt: number;
  currentStep: PublishedStep | null;
  failure?: RunFailure;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
  history: HistoryEntry[];
}

export function adminView(run: RunRecord, history: HistoryEntry[]): AdminRunView {
  const agent = agentView(run);
  return { ...agent, attempt: run.attempt, currentStep: agent.step, startedAt: run.startedAt, updatedAt: run.updatedAt, finishedAt: run.finishedAt ?? null, history };
}

/** GET /api/admin/v1/onboarding: runs by status and by current step, failures by reason with the failed devices. */
export interface RolloutView {
  total: number;
  byStatus: Record<RunRecord["status"], number>;
  /** Running runs by their current step id ("starting" before the first step is published). */
  byStep: Record<string, number>;
  failures: {
    byReason: Record<string, number>;
    devices: { deviceId: string; runId: string; reason: string; stepId: string | null; detail: string | null; finishedAt: string | null }[];
  };
}

const FAILED_DEVICES_SHOWN = 200;

/** Counts the realm's runs. */
export function rolloutView(runs: RunRecord[]): RolloutView {
  const view: RolloutView = { total: runs.length, byStatus: { running: 0, succeeded: 0, failed: 0 }, byStep: {}, failures: { byReason: {}, devices: [] } };
  for (const run of runs) {
    view.byStatus[run.status]++;
    if (run.status === "running") {
      const key = run.step?.id ?? "starting";
      view.byStep[key] = (view.byStep[key] ?? 0) + 1;
    }
    if (run.status === "failed") {
      const reason = run.failure?.reason ?? "unknown";
      view.failures.byReason[reason] = (view.failures.byReason[reason] ?? 0) + 1;
      if (view.failures.devices.length < FAILED_DEVICES_SHOWN) {
        view.failures.devices.push({
          deviceId: run.deviceId,
          runId: run.runId,
          reason,
          stepId: run.failure?.stepId ?? null,
          detail: run.failure?.detail ?? null,
          finishedAt: run.finishedAt ?? null,
        });
      }
    }
  }
  return view;
}
