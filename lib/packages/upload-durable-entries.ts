import * as df from "durable-functions";
import type { OrchestrationContext } from "durable-functions";
import { currentServices } from "../app/container.js";
import { publishDeps } from "../app/publish-deps.js";
import type { ActivityEntry, OrchestratorEntry } from "../registry/types.js";
import { publishImpactGuard } from "./publish-impact.js";
import { processUploadSession } from "./upload-session-processor.js";

/** Names of the upload-session orchestration and its one activity. */
export const UPLOAD_ORCHESTRATOR = "uploadPublishOrchestrator";
export const UPLOAD_ACTIVITY = "uploadPublishActivity";

/** The one instance per session: a second publish call finds it running. */
export const uploadInstanceId = (uploadId: string): string => `upl-${uploadId.toLowerCase().replace(/[^a-z0-9-]/g, "_")}`;

export interface UploadPublishInput {
  realmId: string;
  uploadId: string;
}

/** Runs the publish pipeline over the session's blob outside any HTTP request (the Functions host's 230 s and 100 MB do not apply). */
function* uploadPublishOrchestrator(context: OrchestrationContext): Generator<df.Task, string, unknown> {
  const input = context.df.getInput<UploadPublishInput>();
  const retry = new df.RetryOptions(2000, 3);
  retry.backoffCoefficient = 2;
  return (yield context.df.callActivityWithRetry(UPLOAD_ACTIVITY, retry, input)) as string;
}

async function uploadPublishActivity(input: UploadPublishInput): Promise<string> {
  const services = await currentServices();
  const { session, result } = await processUploadSession({
      uploads: services.uploads,
      publish: await publishDeps(services),
      // Without force, a package that would make required packages undeliverable is refused (409 would-break-required).
      guard: (session) => (session.force ? undefined : publishImpactGuard(services.impact, session.realmId, { force: false, dryRun: false }, services.clock)),
    }, input.realmId, input.uploadId);
  if (result !== undefined) {
    services.telemetry.event("PackagePublished", {
      realmId: input.realmId,
      packageId: result.record.id,
      version: result.record.version,
      size: result.record.size,
      outcome: result.created ? "created" : "unchanged",
    });
  }
  return session?.status ?? "absent";
}

export const uploadOrchestrators: OrchestratorEntry[] = [{ name: UPLOAD_ORCHESTRATOR, handler: uploadPublishOrchestrator }];
// The input comes from our own route (never from the network), so it is typed, not re-validated.
export const uploadActivities: ActivityEntry[] = [{ name: UPLOAD_ACTIVITY, handler: (input) => uploadPublishActivity(input as UploadPublishInput) }];
