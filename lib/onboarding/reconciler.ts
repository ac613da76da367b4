import type { AppServices } from "../app/services.js";
import type { OrchestrationClient } from "../durable/orchestration-client.js";
import type { OnboardingReconciler, StuckRun } from "../reconcile/tasks/stuck-runs.js";
import { startInstance } from "./run-starter.js";
import { onboardingStores } from "./stores.js";

const ALIVE = new Set(["Running", "Pending"]);

/**
 * Reconciliation's safety net for initial runs. The orchestration times out and re-publishes its own
 * steps, so a run whose current step has not moved for twice the step timeout has lost its
 * orchestration (a failed host, a purged instance): re-driving restarts the instance of the same
 * attempt, which publishes its current step again; a run re-driven too often is failed.
 */
export class OnboardingRunReconciler implements OnboardingReconciler {
  constructor(
    private readonly services: Pick<AppServices, "tables" | "settings" | "clock" | "telemetry">,
    private readonly client: OrchestrationClient,
  ) {}

  async findStuck(realmId: string, olderThanMs: number, limit: number): Promise<StuckRun[]> {
    const cutoff = this.services.clock.now() - 2 * olderThanMs;
    const runs = await onboardingStores(this.services.tables).runs.list(realmId);
    return runs
      .filter((r) => r.status === "running" && Date.parse(r.stepPublishedAt ?? r.updatedAt) < cutoff)
      .sort((a, b) => (a.stepPublishedAt ?? a.updatedAt).localeCompare(b.stepPublishedAt ?? b.updatedAt))
      .slice(0, limit)
      .map((r) => ({
        realmId,
        deviceId: r.deviceId,
        runId: r.runId,
        since: r.stepPublishedAt ?? r.updatedAt,
        redrives: r.redrives ?? 0,
        ...(r.step ? { stepId: r.step.id } : {}),
      }));
  }

  async redrive(run: StuckRun): Promise<boolean> {
    const stores = onboardingStores(this.services.tables);
    const now = new Date(this.services.clock.now()).toISOString();
    const record = await stores.runs.update(run.realmId, run.deviceId, (current) =>
      current === undefined || current.runId !== run.runId || current.status !== "running" ? undefined : { ...current, redrives: (current.redrives ?? 0) + 1, updatedAt: now },
    );
    if (record === undefined || record.runId !== run.runId || record.redrives === undefined) return false;
    const status = await this.client.getStatus(record.instanceId);
    if (status === undefined || !ALIVE.has(status.runtimeStatus)) await startInstance(this.services, this.client, record);
    return true;
  }

  async fail(run: StuckRun, reason: string): Promise<boolean> {
    const stores = onboardingStores(this.services.tables);
    const now = new Date(this.services.clock.now()).toISOString();
    let failed = false;
    const record = await stores.runs.update(run.realmId, run.deviceId, (current) => {
      failed = current !== undefined && current.runId === run.runId && current.status === "running";
      if (!failed || current === undefined) return undefined;
      const { step: _step, ...rest } = current;
      return { ...rest, status: "failed", finishedAt: now, updatedAt: now, failure: { reason: "step-timeout", ...(run.stepId ? { stepId: run.stepId } : {}), detail: reason } };
    });
    if (!failed || record === undefined) return false;
    const status = await this.client.getStatus(record.instanceId);
    if (status !== undefined && ALIVE.has(status.runtimeStatus)) await this.client.terminate(record.instanceId, `reconciliation: ${reason}`);
    this.services.telemetry.event("OnboardingTransition", {
      realmId: run.realmId,
      deviceId: run.deviceId,
      runId: run.runId,
      status: "failed",
      phase: record.phase,
      event: "run-failed",
      reason: "step-timeout",
      ...(run.stepId ? { stepId: run.stepId } : {}),
    });
    return true;
  }
}
