import type { ContainerClient } from "@azure/storage-blob";
import { AppError } from "../core/errors.js";
import type { Clock } from "../core/clock.js";
import { problemResponse, toAppError } from "../http/problem.js";
import { isNotFound } from "../storage/rest-error.js";
import { discardStaging } from "./blob-finalize.js";
import { readSasUrl, type SasSigningKeys } from "./blob-sas.js";
import type { PublishResult } from "./catalogue-record.js";
import { publishStaged, type PublishGuard, type PublishUploadDeps } from "./publish-upload.js";
import type { UploadProblem, UploadSession } from "./upload-session.js";
import type { UploadSessionService } from "./upload-session-service.js";
import { STAGING_PREFIX } from "./upload-stream.js";

const COPY_SAS_MS = 15 * 60 * 1000;

/** What processing a session needs. */
export interface ProcessUploadDeps {
  uploads: UploadSessionService;
  publish: PublishUploadDeps;
  /** The impact check for this session (honouring its force flag); undefined skips it. */
  guard?: (session: UploadSession) => PublishGuard | undefined;
}

/** The problem+json body an AppError becomes, as the synchronous route would answer it. */
export function problemOf(error: unknown, instance: string): UploadProblem {
  const response = problemResponse(toAppError(error), instance);
  const { requestId: _id, ...problem } = JSON.parse(typeof response.body === "string" ? response.body : "{}") as UploadProblem & { requestId?: string };
  return problem;
}

/**
 * Copies the client's blob to a staging name the client's SAS cannot reach, then deletes the client's blob: from
 * here on the bytes being checked cannot change. A server-side copy; no byte passes through this process.
 */
async function takeOver(container: ContainerClient, from: string, to: string, keys: SasSigningKeys, clock: Clock): Promise<void> {
  const source = container.getBlobClient(from);
  // With the account key the copy request authorises a same-account source itself (and Azurite then copies
  // without reading the source); with a user-delegation key the source needs a read SAS.
  const sourceUrl = keys.sharedKey !== undefined ? source.url : readSasUrl(source, keys, new Date(clock.now() + COPY_SAS_MS), clock);
  try {
    const poller = await container.getBlockBlobClient(to).beginCopyFromURL(sourceUrl, { intervalInMs: 250 });
    const result = await poller.pollUntilDone();
    if (result.copyStatus !== undefined && result.copyStatus !== "success") throw new AppError("upstream", `Taking over the upload failed: copy ${result.copyStatus}`);
  } catch (error) {
    if (isNotFound(error)) throw new AppError("conflict", "The upload has no committed bytes", { code: "upload-not-committed" });
    throw error;
  } finally {
    await discardStaging(container, from);
  }
}

/**
 * Publishes a session in "processing": takes its blob over, runs the publish pipeline on it as a stream (every
 * check of PUT /packages, hash and content information in one pass), and records published or refused with the
 * problem. Never throws for the package's faults; a session not in "processing" is left as it is.
 */
export async function processUploadSession(deps: ProcessUploadDeps, realmId: string, uploadId: string): Promise<{ session: UploadSession | undefined; result?: PublishResult }> {
  const session = await deps.uploads.get(realmId, uploadId).catch(() => undefined);
  if (session === undefined || session.status !== "processing") return { session };
  const staging = `${STAGING_PREFIX}upload-${uploadId}`;
  const { container, keys, clock } = deps.publish;
  try {
    await takeOver(container, session.blobName, staging, keys, clock);
    const result = await publishStaged(deps.publish, realmId, staging, deps.uploads.limitBytes, deps.guard?.(session));
    const { record } = result;
    const outcome = { packageId: record.id, version: record.version, sha256: record.sha256 ?? "", size: record.size, created: result.created };
    return { session: await deps.uploads.finish(realmId, uploadId, { outcome }), result };
  } catch (error) {
    await discardStaging(container, staging);
    return { session: await deps.uploads.finish(realmId, uploadId, { problem: problemOf(error, `/api/admin/v1/uploads/${uploadId}`) }) };
  }
}
