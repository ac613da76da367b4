import type { InvocationContext } from "@azure/functions";
import type { AppServices } from "../app/services.js";
import { errorFields } from "../telemetry/logger.js";
import { PassBudget } from "./budget.js";
import { tableCursor } from "./cursor-store.js";
import { TableLease } from "./lease.js";
import type { ReconcileCount, ReconcileCounts, ReconcileTask } from "./task.js";

/** The table holding the pass lease and the tasks' cursors. */
export const RECONCILE_TABLE = "Reconcile";
const LEASE_NAME = "pass";
const DEFAULT_LEASE_MS = 10 * 60_000;

export interface ReconcilePassOptions {
  tasks: readonly ReconcileTask[];
  invocation: InvocationContext;
  /** Only this realm (an admin's pass); global tasks are skipped. */
  realmId?: string;
  /** Items the pass may examine; RJ_RECONCILE_BUDGET by default. */
  budget?: number;
  /** How long the lease outlives a crashed holder. */
  leaseDurationMs?: number;
}

/** What a pass did: counts summed over tasks, and per task. */
export interface ReconcilePassReport {
  realmId?: string;
  counts: Partial<Record<ReconcileCount, number>>;
  tasks: Record<string, ReconcileCounts>;
  failedTasks: string[];
  budgetExhausted: boolean;
  durationMs: number;
}

export type ReconcilePassResult = ReconcilePassReport | { skipped: "lease-held" };

/** True when the pass did not run because another one holds the lease. */
export const wasSkipped = (r: ReconcilePassResult): r is { skipped: "lease-held" } => "skipped" in r;

/**
 * Runs the tasks once under the pass lease, each with a share of the budget (what one leaves flows to
 * the next), and reports the counts as one ReconcilePass event. Returns { skipped } when another pass
 * holds the lease. A failing task is logged and named in failedTasks; the others still run.
 */
export async function runReconcilePass(services: AppServices, options: ReconcilePassOptions): Promise<ReconcilePassResult> {
  const started = performance.now();
  const table = await services.tables.table(RECONCILE_TABLE);
  const lease = await TableLease.acquire(table, LEASE_NAME, options.leaseDurationMs ?? DEFAULT_LEASE_MS, services.clock);
  if (lease === undefined) {
    services.log.log("info", "reconcile.skipped", { reason: "lease-held", ...(options.realmId ? { realmId: options.realmId } : {}) });
    return { skipped: "lease-held" };
  }
  const now = new Date(services.clock.now());
  const tasks = options.tasks.filter((t) => options.realmId === undefined || t.scope === "realm");
  const total = new PassBudget(options.budget ?? services.settings.RJ_RECONCILE_BUDGET);
  const report: ReconcilePassReport = {
    ...(options.realmId === undefined ? {} : { realmId: options.realmId }),
    counts: {},
    tasks: {},
    failedTasks: [],
    budgetExhausted: false,
    durationMs: 0,
  };
  try {
    for (const [index, task] of tasks.entries()) {
      if (!(await lease.renew())) break;
      const budget = new PassBudget(Math.ceil(total.remaining / (tasks.length - index)));
      try {
        const counts = await task.run({
          services,
          invocation: options.invocation,
          now,
          budget,
          lease,
          cursor: tableCursor(table, task.name, options.realmId),
          ...(options.realmId === undefined ? {} : { realmId: options.realmId }),
        });
        report.tasks[task.name] = counts;
        for (const [key, value] of Object.entries(counts) as [ReconcileCount, number][]) report.counts[key] = (report.counts[key] ?? 0) + value;
      } catch (error) {
        report.failedTasks.push(task.name);
        services.log.log("error", "reconcile.task-failed", { task: task.name, ...errorFields(error) });
      }
      if (budget.exhausted) report.budgetExhausted = true;
      total.spend(Math.min(budget.limit, budget.limit - budget.remaining));
    }
  } finally {
    await lease.release();
  }
  report.durationMs = Math.round(performance.now() - started);
  services.telemetry.event("ReconcilePass", {
    ...report.counts,
    durationMs: report.durationMs,
    budgetExhausted: report.budgetExhausted,
    failedTasks: report.failedTasks.join(","),
    ...(options.realmId === undefined ? {} : { realmId: options.realmId }),
  });
  services.log.log("info", "reconcile.pass", { ...report });
  return report;
}
