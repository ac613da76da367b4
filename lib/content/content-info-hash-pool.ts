import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { assertPieceSize, DEFAULT_PIECE_SIZE, SlotPool, type ContentPieceHasher, type PieceDigests, type PieceSlot } from "./content-info-hasher.js";

// Plain JS evaluated by the worker, so the pool runs the same under vitest (TypeScript sources) and from dist/.
// It mirrors digestPiece in content-info-hasher.ts; a test checks both give the same bytes.
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
let slots = [];
parentPort.on("message", (m) => {
  if (m.type === "init") { slots = m.slots.map((s) => new Uint8Array(s)); return; }
  try {
    const bytes = slots[m.slot], length = m.length;
    const blocks = Math.ceil(length / 65536), segments = Math.ceil(length / 131072);
    const out = new Uint8Array((blocks + segments) * 32);
    for (let s = 0; s < segments; s++) {
      const start = s * 131072, end = Math.min(length, start + 131072);
      for (let b = start; b < end; b += 65536) {
        out.set(createHash("sha256").update(bytes.subarray(b, Math.min(end, b + 65536))).digest(), (b / 65536) * 32);
      }
      out.set(createHash("sha512").update(bytes.subarray(start, end)).digest().subarray(0, 32), (blocks + s) * 32);
    }
    parentPort.postMessage({ id: m.id, blocks, digests: out.buffer }, [out.buffer]);
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String(e && e.stack || e) });
  }
});
`;

interface SharedSlot extends PieceSlot {
  readonly index: number;
}

interface Task {
  readonly id: number;
  readonly slot: SharedSlot;
  readonly length: number;
  readonly resolve: (d: PieceDigests) => void;
  readonly reject: (e: Error) => void;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly tasks: Map<number, Task>;
}

interface WorkerReply {
  readonly id: number;
  readonly blocks?: number;
  readonly digests?: ArrayBuffer;
  readonly error?: string;
}

/** Options of the worker pool; defaults suit one upload at a time on the host's cores. */
export interface ContentHashPoolOptions {
  /** Worker threads; default os.availableParallelism(). */
  readonly workers?: number;
  /** Bytes per piece, a multiple of 128 KiB; default 1 MiB. */
  readonly pieceSize?: number;
  /** Pieces in flight per worker (memory = workers * this * pieceSize, shared); default 3. */
  readonly slotsPerWorker?: number;
}

/** A piece hasher on worker threads that also must be closed. */
export interface ContentHashPool extends ContentPieceHasher {
  /** Stops the workers; pending hashes reject. Idempotent. */
  close(): Promise<void>;
}

/**
 * Returns a pool hashing pieces on worker threads, so SHA-256 and SHA-512 run on all cores while the event loop
 * keeps streaming. Share one pool per process; idle workers do not keep the process alive.
 */
export function createContentHashPool(options: ContentHashPoolOptions = {}): ContentHashPool {
  const pieceSize = options.pieceSize ?? DEFAULT_PIECE_SIZE;
  assertPieceSize(pieceSize);
  const workerCount = Math.max(1, options.workers ?? availableParallelism());
  const slotCount = workerCount * Math.max(1, options.slotsPerWorker ?? 3);
  const shared = Array.from({ length: slotCount }, () => new SharedArrayBuffer(pieceSize));
  const owned: SharedSlot[] = shared.map((sab, index) => ({ index, bytes: Buffer.from(sab) }));
  const slots = new SlotPool<SharedSlot>(owned);
  const own = (slot: PieceSlot): SharedSlot => {
    const found = owned.find((o) => o === slot);
    if (found === undefined) throw new RangeError("slot was not acquired from this pool");
    return found;
  };
  const queue: Task[] = [];
  let nextId = 0;
  let closed: Error | undefined;

  const workers: PoolWorker[] = Array.from({ length: workerCount }, () => {
    const pw: PoolWorker = { worker: new Worker(WORKER_SOURCE, { eval: true }), tasks: new Map() };
    pw.worker.unref();
    pw.worker.postMessage({ type: "init", slots: shared });
    pw.worker.on("message", (reply: WorkerReply) => settle(pw, reply));
    pw.worker.on("error", (e) => fail(e));
    pw.worker.on("exit", (code) => fail(new Error(`content hash worker exited with code ${code}`)));
    return pw;
  });

  // Two tasks per worker hide the message round trip; more only delays the others.
  const dispatch = (): void => {
    for (;;) {
      const task = queue[0];
      if (task === undefined) return;
      const target = workers.reduce((a, b) => (b.tasks.size < a.tasks.size ? b : a));
      if (target.tasks.size >= 2) return;
      queue.shift();
      if (target.tasks.size === 0) target.worker.ref();
      target.tasks.set(task.id, task);
      target.worker.postMessage({ id: task.id, slot: task.slot.index, length: task.length });
    }
  };

  const settle = (pw: PoolWorker, reply: WorkerReply): void => {
    const task = pw.tasks.get(reply.id);
    if (task === undefined) return;
    pw.tasks.delete(reply.id);
    if (pw.tasks.size === 0) pw.worker.unref();
    slots.release(task.slot);
    if (reply.digests === undefined || reply.blocks === undefined) {
      task.reject(new Error(`content hash worker failed: ${reply.error ?? "no digests"}`));
    } else {
      const all = Buffer.from(reply.digests);
      task.resolve({ length: task.length, blockHashes: all.subarray(0, reply.blocks * 32), segmentHashes: all.subarray(reply.blocks * 32) });
    }
    dispatch();
  };

  const fail = (e: Error): void => {
    if (closed !== undefined) return;
    closed = e;
    slots.fail(e);
    for (const pw of workers) {
      for (const task of pw.tasks.values()) task.reject(e);
      pw.tasks.clear();
    }
    for (const task of queue.splice(0)) task.reject(e);
    void Promise.all(workers.map((pw) => pw.worker.terminate()));
  };

  return {
    pieceSize,
    acquire: () => slots.acquire(),
    hash(slot, length) {
      if (closed !== undefined) return Promise.reject(closed);
      if (!Number.isInteger(length) || length <= 0 || length > pieceSize) return Promise.reject(new RangeError("piece length out of range"));
      const shared = own(slot);
      return new Promise<PieceDigests>((resolve, reject) => {
        queue.push({ id: nextId++, slot: shared, length, resolve, reject });
        dispatch();
      });
    },
    release: (slot) => slots.release(own(slot)),
    async close() {
      if (closed !== undefined) return;
      closed = new Error("content hash pool closed");
      slots.fail(closed);
      for (const pw of workers) for (const task of pw.tasks.values()) task.reject(closed);
      for (const task of queue.splice(0)) task.reject(closed);
      await Promise.all(workers.map((pw) => pw.worker.terminate()));
    },
  };
}
