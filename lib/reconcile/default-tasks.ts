import { purgeRealm } from "../realms/realm-purge.js";
import { deletedRealmsTask } from "./tasks/deleted-realms.js";
import { historyPurgeTask } from "./tasks/history-purge.js";
import { membershipRefreshTask } from "./tasks/membership-refresh.js";
import { replayCachePurgeTask } from "./tasks/replay-cache-purge.js";
import { staleDevicesTask } from "./tasks/stale-devices.js";
import type { ReconcileTask } from "./task.js";

/**
 * The tasks of every pass, in order. The onboarding module adds stuckRunsTask(...) and
 * pendingEscrowTask(...) (tasks/stuck-runs.ts, tasks/pending-escrow.ts) with its reconcilers.
 */
export const reconcileTasks: readonly ReconcileTask[] = [
  staleDevicesTask,
  membershipRefreshTask,
  replayCachePurgeTask,
  historyPurgeTask,
  deletedRealmsTask(purgeRealm),
];
