import { currentServices } from "../app/container.js";
import type { TimerFunctionEntry } from "../registry/types.js";
import { reconcileTasks } from "./default-tasks.js";
import { runReconcilePass } from "./pass.js";

/** Timers of the app: the reconciliation pass on RJ_RECONCILE_SCHEDULE (every 15 minutes by default). */
export const reconcileTimers: TimerFunctionEntry[] = [
  {
    name: "reconcile",
    scheduleSetting: "RJ_RECONCILE_SCHEDULE",
    // The history purge reaches orchestrations, so Azure binds a durable client.
    durableClient: true,
    async handler(_timer, context) {
      const services = await currentServices();
      await runReconcilePass(services, { tasks: reconcileTasks, invocation: context });
    },
  },
];
