import { OnboardingRunReconciler } from "../onboarding/reconciler.js";
import { purgeRealm } from "../realms/realm-purge.js";
import { abandonedUploadsTask } from "./tasks/abandoned-uploads.js";
import { auditRetentionTask } from "./tasks/audit-retention.js";
import { signingKeyRotationTask } from "./tasks/signing-key-rotation.js";
import { deletedRealmsTask } from "./tasks/deleted-realms.js";
import { historyPurgeTask } from "./tasks/history-purge.js";
import { membershipRefreshTask } from "./tasks/membership-refresh.js";
import { replayCachePurgeTask } from "./tasks/replay-cache-purge.js";
import { staleDevicesTask } from "./tasks/stale-devices.js";
import { stuckRunsTask } from "./tasks/stuck-runs.js";
import type { ReconcileTask } from "./task.js";

/**
 * The tasks of every pass, in order. Escrow checks have no task: the orchestration retries them itself
 * (RetryOptions, durable across restarts), and a run stuck anyway is the stuck-runs task's.
 */
export const reconcileTasks: readonly ReconcileTask[] = [
  staleDevicesTask,
  stuckRunsTask((ctx) => new OnboardingRunReconciler(ctx.services, ctx.services.orchestrations(ctx.invocation))),
  membershipRefreshTask,
  replayCachePurgeTask,
  historyPurgeTask,
  abandonedUploadsTask,
  deletedRealmsTask(purgeRealm),
  auditRetentionTask,
  signingKeyRotationTask,
];
