import type { TableClient } from "@azure/data-tables";
import { keyPart, odataString, realmKey } from "../storage/keys.js";
import { updateWithRetry } from "../storage/optimistic.js";
import { isConflict, isNotFound } from "../storage/rest-error.js";
import type { UploadProblem, UploadSession } from "./upload-session.js";

/** Logical table name (TableStore adds its prefix). */
export const UPLOAD_SESSIONS_TABLE = "UploadSessions";

interface SessionEntity {
  realmId: string;
  uploadId: string;
  status: UploadSession["status"];
  blobName: string;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  force: boolean;
  /** JSON of UploadSession.outcome. */
  outcome?: string;
  /** JSON of UploadSession.problem, at most PROBLEM_CHARS. */
  problem?: string;
}

// A Table string property holds 32 K UTF-16 characters; the rest of the row is small.
const PROBLEM_CHARS = 30_000;

function problemJson(problem: UploadProblem): string {
  const full = JSON.stringify(problem);
  if (full.length <= PROBLEM_CHARS) return full;
  // Too long to keep (e.g. an impact list over thousands of packages): the core members and a note.
  const { type, title, status, detail } = problem;
  return JSON.stringify({ type, title, status, detail: `${detail.slice(0, 2000)} (details truncated)` });
}

function toEntity(s: UploadSession): SessionEntity {
  const { outcome, problem, ...rest } = s;
  return { ...rest, ...(outcome === undefined ? {} : { outcome: JSON.stringify(outcome) }), ...(problem === undefined ? {} : { problem: problemJson(problem) }) };
}

function fromEntity(e: SessionEntity): UploadSession {
  return {
    realmId: e.realmId,
    uploadId: e.uploadId,
    status: e.status,
    blobName: e.blobName,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    expiresAt: e.expiresAt,
    force: e.force === true,
    ...(e.outcome === undefined ? {} : { outcome: JSON.parse(e.outcome) as UploadSession["outcome"] }),
    ...(e.problem === undefined ? {} : { problem: JSON.parse(e.problem) as UploadSession["problem"] }),
  };
}

const partition = (realmId: string): string => realmKey(realmId, "uploads");

/** Upload sessions: PartitionKey `<realm>|uploads`, RowKey the upload id. */
export class UploadSessionRepository {
  constructor(private readonly table: () => Promise<TableClient>) {}

  /** Writes a new session; throws on a duplicate id (a UUID collision) or a storage failure. */
  async create(session: UploadSession): Promise<void> {
    const client = await this.table();
    try {
      await client.createEntity({ partitionKey: partition(session.realmId), rowKey: keyPart(session.uploadId), ...toEntity(session) });
    } catch (error) {
      if (isConflict(error)) throw new Error("upload id collision", { cause: error });
      throw error;
    }
  }

  async get(realmId: string, uploadId: string): Promise<UploadSession | undefined> {
    const client = await this.table();
    try {
      return fromEntity(await client.getEntity<SessionEntity>(partition(realmId), keyPart(uploadId)));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Read-modify-write under the row's ETag; mutate returns undefined to leave the row. Returns what is stored after. */
  async update(realmId: string, uploadId: string, mutate: (current: UploadSession | undefined) => UploadSession | undefined): Promise<UploadSession | undefined> {
    const client = await this.table();
    const stored = await updateWithRetry<SessionEntity>(client, partition(realmId), keyPart(uploadId), (current) => {
      const next = mutate(current === undefined ? undefined : fromEntity(current));
      return next === undefined ? undefined : toEntity(next);
    });
    return stored === undefined ? undefined : fromEntity(stored);
  }

  /** Sessions of every realm still pending whose SAS ended before `cutoff`, at most `limit`. */
  async expiredPending(cutoff: string, limit: number): Promise<UploadSession[]> {
    const client = await this.table();
    const out: UploadSession[] = [];
    if (limit <= 0) return out;
    const filter = `status eq 'pending' and expiresAt lt ${odataString(cutoff)}`;
    for await (const e of client.listEntities<SessionEntity>({ queryOptions: { filter } })) {
      out.push(fromEntity(e));
      if (out.length >= limit) break;
    }
    return out;
  }
}
