import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

/** One HTTP load run, sent to the load-generator child process. */
export interface LoadSpec {
  /** e.g. "http://127.0.0.1:7071" (loopback only). */
  origin: string;
  path: string;
  method: "GET" | "POST" | "PUT";
  connections: number;
  /** Bounded run time in seconds; ignored when `amount` is set. */
  durationSeconds: number;
  /** Stop after this many requests (single-use credentials); default: run for durationSeconds. */
  amount?: number;
  /** Sent with every request. */
  headers: Record<string, string>;
  /** Extra headers per request (e.g. a fresh device assertion and that device's If-None-Match), in order; cycled when exhausted. */
  perRequestHeaders?: Array<Record<string, string>>;
  /** One body per request, in order; cycled when exhausted. */
  bodies?: string[];
  /** The statuses that count as answered (e.g. [304] for polls). */
  expect: number[];
}

/** What a run measured. */
export interface LoadResult {
  /** Answers with an expected status per second of wall time. */
  rps: number;
  expected: number;
  requests: number;
  seconds: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Body bytes received per second. */
  bytesPerSecond: number;
}

const WORKER = fileURLToPath(new URL("./load-worker.js", import.meta.url));

function isLoadResult(value: unknown): value is LoadResult {
  return typeof value === "object" && value !== null && "rps" in value && "statuses" in value;
}

/**
 * Runs autocannon in a child process (so the generator does not share the event loop or the RSS of an in-process
 * host) and returns its figures; throws when the child fails or answers nothing.
 */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const child = fork(WORKER, [], { stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced" });
  return await new Promise<LoadResult>((resolve, reject) => {
    let settled = false;
    const done = (error: Error | undefined, result?: LoadResult): void => {
      if (settled) return;
      settled = true;
      if (error !== undefined || result === undefined) reject(error ?? new Error("load generator answered nothing"));
      else resolve(result);
    };
    child.once("message", (message: unknown) => {
      if (isLoadResult(message)) done(undefined, message);
      else done(new Error(`load generator failed: ${JSON.stringify(message)}`));
    });
    child.once("error", (e) => done(e));
    child.once("exit", (code) => done(new Error(`load generator exited with ${String(code)} before answering`)));
    child.send(spec);
  }).finally(() => {
    if (child.exitCode === null) child.kill();
  });
}
