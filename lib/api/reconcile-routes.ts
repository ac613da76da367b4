import { conflict } from "../core/errors.js";
import { endpoint } from "../http/endpoint.js";
import { json } from "../http/reply.js";
import { reconcileTasks } from "../reconcile/default-tasks.js";
import { runReconcilePass, wasSkipped } from "../reconcile/pass.js";
import type { HttpFunctionEntry } from "../registry/types.js";

/**
 * POST /api/admin/v1/reconcile: one pass over the admin's realm only (realm-scoped tasks; global
 * purges stay with the timer). 200 with the counts; 409 "reconcile-running" while another pass holds the lease.
 */
const reconcileNow: HttpFunctionEntry = {
  name: "adminReconcile",
  route: "admin/v1/reconcile",
  methods: ["POST"],
  area: "admin",
  durableClient: true,
  handler: endpoint({
    auth: "admin",
    audit: { target: () => "realm", summary: () => "reconciliation pass" },
    async handle({ services, auth, invocation }) {
      const result = await runReconcilePass(services, { tasks: reconcileTasks, invocation, realmId: auth.realmId });
      if (wasSkipped(result)) throw conflict("A reconciliation pass is running; try again in a few minutes", "reconcile-running");
      return json({
        realmId: auth.realmId,
        counts: result.counts,
        tasks: result.tasks,
        failedTasks: result.failedTasks,
        budgetExhausted: result.budgetExhausted,
        durationMs: result.durationMs,
      });
    },
  }),
};

/** POST /api/admin/v1/reconcile. */
export const reconcileRoutes: HttpFunctionEntry[] = [reconcileNow];
