import { createHash } from "node:crypto";
import { mkdir, open, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { BlockBlobClient } from "@azure/storage-blob";

/** Where the publisher talks to: the back-end's base URL and an admin token. */
export interface PublishTarget {
  baseUrl: string;
  token: string;
}

/** An upload session as GET /api/admin/v1/uploads/{id} answers it. */
export interface SessionView {
  uploadId: string;
  status: "pending" | "processing" | "published" | "refused";
  expiresAt: string;
  package?: { packageId: string; version: string; sha256: string; size: number; created: boolean };
  problem?: { type: string; title: string; status: number; detail: string; [k: string]: unknown };
  stagedBlocks?: { name: string; size: number }[];
}

/** What the upload has done so far, for a progress display. */
export interface UploadProgress {
  totalBytes: number;
  /** Bytes sent in this run. */
  sentBytes: number;
  /** Bytes found already staged by an earlier, interrupted run. */
  resumedBytes: number;
  blocks: number;
  doneBlocks: number;
}

export interface PublishFileOptions {
  force?: boolean;
  /** Blocks in flight (default 4). */
  parallel?: number;
  /** Where resume state lives (default <tmp>/realmjoin-uploads). */
  stateDir: string;
  onProgress?: (p: UploadProgress) => void;
  /** Called once the blocks are committed and processing is waiting. */
  onProcessing?: () => void;
  signal?: AbortSignal;
  /** How long to wait for processing (default one hour). */
  waitMs?: number;
  pollMs?: number;
  fetch?: typeof fetch;
}

export interface PublishFileResult {
  session: SessionView;
  /** True when an earlier run's session was resumed. */
  resumed: boolean;
  skippedBlocks: number;
  uploadedBlocks: number;
}

interface ResumeState {
  uploadId: string;
  uploadUrl: string;
  expiresAt: string;
  blockBytes: number;
}

/** An HTTP failure of the back-end, with its problem+json when it sent one. */
export class PublishHttpError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Record<string, unknown> | undefined,
  ) {
    super(`HTTP ${status}${typeof problem?.["detail"] === "string" ? `: ${problem["detail"]}` : ""}`);
  }
}

async function api<T>(target: PublishTarget, path: string, init: RequestInit, f: typeof fetch): Promise<T> {
  const res = await f(`${target.baseUrl.replace(/\/+$/, "")}${path}`, { ...init, headers: { authorization: `Bearer ${target.token}`, ...(init.headers ?? {}) } });
  const text = await res.text();
  const body = text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>);
  if (!res.ok) throw new PublishHttpError(res.status, body);
  return body as T;
}

/** Block ids are fixed-length and name the block's position and content, so a re-run recognises what is already staged. */
export function blockId(index: number, block: Uint8Array): string {
  const digest = createHash("sha256").update(block).digest("hex").slice(0, 32);
  return Buffer.from(`${String(index).padStart(6, "0")}-${digest}`).toString("base64");
}

/** The resume file of one file for one back-end: named by the back-end, the absolute path, size and modification time. */
async function stateFile(stateDir: string, target: PublishTarget, path: string): Promise<string> {
  const s = await stat(path);
  const key = createHash("sha256").update(`${target.baseUrl}\n${resolve(path)}\n${s.size}\n${s.mtimeMs}`).digest("hex").slice(0, 40);
  return join(stateDir, `${key}.json`);
}

async function readState(file: string): Promise<ResumeState | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as ResumeState;
  } catch {
    return undefined;
  }
}

/** A pending session of an earlier run that can still take blocks, with its staged blocks; undefined otherwise. */
async function resumable(target: PublishTarget, state: ResumeState | undefined, f: typeof fetch): Promise<{ state: ResumeState; staged: Set<string> } | undefined> {
  // A minute of margin: a SAS that ends mid-upload would fail the remaining blocks.
  if (state === undefined || Date.parse(state.expiresAt) - Date.now() < 60_000) return undefined;
  try {
    const view = await api<SessionView>(target, `/api/admin/v1/uploads/${encodeURIComponent(state.uploadId)}?blocks=true`, { method: "GET" }, f);
    if (view.status !== "pending") return undefined;
    return { state, staged: new Set((view.stagedBlocks ?? []).map((b) => b.name)) };
  } catch (error) {
    if (error instanceof PublishHttpError && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * Publishes a .nupkg through an upload session: blocks go straight to storage through the session's SAS, in
 * parallel, each at most blockBytes in memory; a re-run for the same file resumes the session and skips the
 * blocks already staged; then commit, publish, and wait for the background processing to end.
 */
export async function publishFile(target: PublishTarget, path: string, options: PublishFileOptions): Promise<PublishFileResult> {
  const f = options.fetch ?? fetch;
  await mkdir(options.stateDir, { recursive: true });
  const resumeFile = await stateFile(options.stateDir, target, path);
  let resume = await resumable(target, await readState(resumeFile), f);
  const resumed = resume !== undefined;
  if (resume === undefined) {
    const created = await api<SessionView & { uploadUrl: string; blockBytes: number; maxBytes: number }>(target, "/api/admin/v1/uploads", { method: "POST" }, f);
    const state: ResumeState = { uploadId: created.uploadId, uploadUrl: created.uploadUrl, expiresAt: created.expiresAt, blockBytes: created.blockBytes };
    await writeFile(resumeFile, JSON.stringify(state));
    resume = { state, staged: new Set() };
  }
  const { state, staged } = resume;
  const blob = new BlockBlobClient(state.uploadUrl);
  const size = (await stat(path)).size;
  const blocks = Math.max(1, Math.ceil(size / state.blockBytes));
  const ids: string[] = new Array<string>(blocks);
  const progress: UploadProgress = { totalBytes: size, sentBytes: 0, resumedBytes: 0, blocks, doneBlocks: 0 };
  let skippedBlocks = 0;
  let uploadedBlocks = 0;
  const handle = await open(path, "r");
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      const buffer = Buffer.alloc(state.blockBytes);
      for (;;) {
        options.signal?.throwIfAborted();
        const index = next++;
        if (index >= blocks) return;
        const start = index * state.blockBytes;
        const length = Math.min(state.blockBytes, size - start);
        const { bytesRead } = await handle.read(buffer, 0, length, start);
        const block = buffer.subarray(0, bytesRead);
        const id = blockId(index, block);
        ids[index] = id;
        if (staged.has(id)) {
          skippedBlocks++;
          progress.resumedBytes += bytesRead;
        } else {
          await blob.stageBlock(id, block, bytesRead, { ...(options.signal === undefined ? {} : { abortSignal: options.signal }) });
          uploadedBlocks++;
          progress.sentBytes += bytesRead;
        }
        progress.doneBlocks++;
        options.onProgress?.({ ...progress });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 4) }, worker));
  } finally {
    await handle.close();
  }
  await blob.commitBlockList(ids);
  const query = options.force === true ? "?force=true" : "";
  await api<SessionView>(target, `/api/admin/v1/uploads/${state.uploadId}/publish${query}`, { method: "POST" }, f);
  options.onProcessing?.();
  const session = await waitForEnd(target, state.uploadId, options.waitMs ?? 3_600_000, options.pollMs ?? 1000, f, options.signal);
  await rm(resumeFile, { force: true });
  return { session, resumed, skippedBlocks, uploadedBlocks };
}

async function waitForEnd(target: PublishTarget, uploadId: string, waitMs: number, pollMs: number, f: typeof fetch, signal: AbortSignal | undefined): Promise<SessionView> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const view = await api<SessionView>(target, `/api/admin/v1/uploads/${uploadId}`, { method: "GET" }, f);
    if (view.status === "published" || view.status === "refused") return view;
    if (Date.now() > deadline) throw new Error(`the upload ${uploadId} is still ${view.status} after ${Math.round(waitMs / 1000)} s; ask GET /api/admin/v1/uploads/${uploadId} later`);
    signal?.throwIfAborted();
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
