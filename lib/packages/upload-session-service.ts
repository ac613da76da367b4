import { randomUUID } from "node:crypto";
import type { ContainerClient } from "@azure/storage-blob";
import type { Clock } from "../core/clock.js";
import { AppError, notFound } from "../core/errors.js";
import { isNotFound } from "../storage/rest-error.js";
import { discardStaging } from "./blob-finalize.js";
import type { SasSigningKeys } from "./blob-sas.js";
import { isUploadId, uploadBlobName, type UploadOutcome, type UploadProblem, type UploadSession } from "./upload-session.js";
import type { UploadSessionRepository } from "./upload-session-repository.js";
import { writeSasUrl } from "./upload-sas.js";

/** How long a session's SAS lives: long enough for several GB on a slow link, never more than the hour allowed. */
export const UPLOAD_SAS_MS = 60 * 60 * 1000;
/** The block size clients are told to use: 8 MiB blocks keep 30 GiB under Azure's 50,000 blocks per blob. */
export const UPLOAD_BLOCK_BYTES = 8 * 1024 * 1024;

export interface UploadSessionDeps {
  sessions: UploadSessionRepository;
  /** The package container, where `uploads/<id>` lives. */
  container: ContainerClient;
  /** Makes sure the package container exists: the client writes through the SAS, and nothing creates it on that path. */
  ensureContainer(): Promise<unknown>;
  clock: Clock;
  sasKeys(): Promise<SasSigningKeys>;
  /** Largest package a session may publish (RJ_SESSION_UPLOAD_LIMIT_BYTES). */
  limitBytes: number;
}

/** A new session with the URL the client writes its blocks to. */
export interface CreatedUpload {
  session: UploadSession;
  uploadUrl: string;
}

/** A block the client has staged but not committed yet (for resuming). */
export interface StagedBlock {
  name: string;
  size: number;
}

/** Upload sessions of the admin API: create (with a write-only SAS), read, hand over for publishing, expire. */
export class UploadSessionService {
  constructor(private readonly deps: UploadSessionDeps) {}

  get limitBytes(): number {
    return this.deps.limitBytes;
  }

  /** A pending session and a write-only SAS URL for its one blob, valid for UPLOAD_SAS_MS. */
  async create(realmId: string): Promise<CreatedUpload> {
    const now = this.deps.clock.now();
    const uploadId = randomUUID();
    const at = new Date(now).toISOString();
    const expiresOn = new Date(now + UPLOAD_SAS_MS);
    const session: UploadSession = {
      realmId,
      uploadId,
      status: "pending",
      blobName: uploadBlobName(uploadId),
      createdAt: at,
      updatedAt: at,
      expiresAt: expiresOn.toISOString(),
      force: false,
    };
    const uploadUrl = writeSasUrl(this.deps.container.getBlobClient(session.blobName), await this.deps.sasKeys(), expiresOn, this.deps.clock);
    await this.deps.ensureContainer();
    await this.deps.sessions.create(session);
    return { session, uploadUrl };
  }

  /** The session; throws AppError not-found for a malformed id or one unknown in this realm. */
  async get(realmId: string, uploadId: string): Promise<UploadSession> {
    const session = isUploadId(uploadId) ? await this.deps.sessions.get(realmId, uploadId) : undefined;
    if (session === undefined) throw notFound(`No upload "${uploadId}" in this realm`);
    return session;
  }

  /** The blocks staged on a pending session's blob and not committed yet (empty once committed or gone). */
  async stagedBlocks(session: UploadSession): Promise<StagedBlock[]> {
    if (session.status !== "pending") return [];
    try {
      const list = await this.deps.container.getBlockBlobClient(session.blobName).getBlockList("uncommitted");
      return (list.uncommittedBlocks ?? []).map((b) => ({ name: b.name, size: b.size }));
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
  }

  /**
   * Hands a pending session over for publishing: its blob must be committed and within the limit. Answers the
   * session and whether this call moved it to "processing" (false: it was already past pending, nothing changed).
   * Throws AppError not-found, conflict "upload-not-committed" (no committed bytes yet), too-large.
   */
  async beginPublish(realmId: string, uploadId: string, force: boolean): Promise<{ session: UploadSession; started: boolean }> {
    const current = await this.get(realmId, uploadId);
    if (current.status !== "pending") return { session: current, started: false };
    let length: number;
    try {
      length = (await this.deps.container.getBlobClient(current.blobName).getProperties()).contentLength ?? 0;
    } catch (error) {
      if (!isNotFound(error)) throw error;
      throw new AppError("conflict", "The upload has no committed bytes yet: stage the blocks and commit the block list, then publish", { code: "upload-not-committed" });
    }
    if (length > this.deps.limitBytes) {
      throw new AppError("too-large", `The package exceeds the limit of ${this.deps.limitBytes} bytes`, { code: "package-too-large" });
    }
    let started = false;
    const at = new Date(this.deps.clock.now()).toISOString();
    const session = await this.deps.sessions.update(realmId, uploadId, (s) => {
      started = false;
      if (s === undefined || s.status !== "pending") return undefined;
      started = true;
      return { ...s, status: "processing", force, updatedAt: at };
    });
    if (session === undefined) throw notFound(`No upload "${uploadId}" in this realm`);
    return { session, started };
  }

  /** Puts a session back to pending (its background processing could not be started). */
  async revertToPending(realmId: string, uploadId: string): Promise<void> {
    await this.deps.sessions.update(realmId, uploadId, (s) => (s?.status === "processing" ? { ...s, status: "pending", updatedAt: new Date(this.deps.clock.now()).toISOString() } : undefined));
  }

  /** Records the end of processing: published with its outcome, or refused with the problem. Only from "processing". */
  async finish(realmId: string, uploadId: string, end: { outcome: UploadOutcome } | { problem: UploadProblem }): Promise<UploadSession | undefined> {
    const at = new Date(this.deps.clock.now()).toISOString();
    return await this.deps.sessions.update(realmId, uploadId, (s) => {
      if (s === undefined || s.status !== "processing") return undefined;
      return "outcome" in end ? { ...s, status: "published", outcome: end.outcome, updatedAt: at } : { ...s, status: "refused", problem: end.problem, updatedAt: at };
    });
  }

  /**
   * Removes the blobs of sessions still pending `graceMs` after their SAS ended (uploads never published) and
   * marks them refused "upload-expired"; at most `limit` sessions. Returns how many it expired.
   */
  async expireAbandoned(now: Date, graceMs: number, limit: number): Promise<number> {
    const stale = await this.deps.sessions.expiredPending(new Date(now.getTime() - graceMs).toISOString(), limit);
    let expired = 0;
    for (const s of stale) {
      await discardStaging(this.deps.container, s.blobName);
      const at = now.toISOString();
      const marked = await this.deps.sessions.update(s.realmId, s.uploadId, (c) =>
        c?.status === "pending"
          ? {
              ...c,
              status: "refused",
              updatedAt: at,
              problem: { type: "https://realmjoin.example/problems/upload-expired", title: "Conflict", status: 409, detail: "The upload was never published before its URL expired; its bytes were removed" },
            }
          : undefined,
      );
      if (marked?.status === "refused") expired++;
    }
    return expired;
  }
}
