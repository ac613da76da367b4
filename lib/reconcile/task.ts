import type { InvocationContext } from "@azure/functions";
import type { AppServices } from "../app/services.js";
import type { TELEMETRY_EVENTS } from "../telemetry/events.js";
import type { PassBudget } from "./budget.js";
import type { TaskCursor } from "./cursor-store.js";
import type { Lease } from "./lease.js";

/** A count the ReconcilePass event knows (the catalogue's dimensions, without the pass-level ones). */
export type ReconcileCount = Exclude<(typeof TELEMETRY_EVENTS)["ReconcilePass"][number], "durationMs" | "budgetExhausted">;

/** What one task did in one pass. */
export type ReconcileCounts = Partial<Record<ReconcileCount, number>>;

/** Everything a task may use during one pass. */
export interface ReconcileContext {
  services: AppServices;
  /** The invocation the pass runs in (the door to orchestrations). */
  invocation: InvocationContext;
  /** The pass's start time; tasks compare ages against it, never against the wall clock. */
  now: Date;
  /** This task's share of the pass's item budget. */
  budget: PassBudget;
  /** The pass's lease; a task stops early when renew() answers false (another pass took over). */
  lease: Lease;
  /** Where the task left off in the previous pass (per task, per scope). */
  cursor: TaskCursor;
  /** Set for an admin's pass: only this realm's items. Unset for the timer's global pass. */
  realmId?: string;
}

/**
 * One independent piece of reconciliation. run() must be idempotent (running it twice changes
 * nothing more), bounded by ctx.budget, and return what it changed; it throws only on failures the
 * pass should log (the other tasks still run).
 */
export interface ReconcileTask {
  name: string;
  /** "global" tasks (stores without realm partitions) are skipped in an admin's realm-scoped pass. */
  scope: "realm" | "global";
  run(ctx: ReconcileContext): Promise<ReconcileCounts>;
}
