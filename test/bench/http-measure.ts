import type { HostDevice } from "../support/host-identities.js";
import type { BenchHost } from "./bench-host.js";
import { assertionPool } from "./bench-host.js";
import type { BenchOptions } from "./bench-options.js";
import { runLoad, type LoadResult, type LoadSpec } from "./load.js";
import { startPlainServerProcess, type RecordedAnswer } from "./plain-server.js";

const trace = (line: string): void => {
  process.stderr.write(`  ${line}\n`);
};

const ASSERTION_HEADER = "x-rj-device-assertion";
const MAX_POOL = 200_000;

/** A device-authenticated request pattern against the host. */
export interface DeviceLoad {
  path: string;
  method: "GET" | "POST";
  /** Request i is signed by devices[i % devices.length]. */
  devices: readonly HostDevice[];
  /** Headers of a request by that device (e.g. its own If-None-Match). */
  headersFor?: (device: HostDevice) => Record<string, string>;
  /** Body of the request with this run-independent index (e.g. a state report with a growing sequence). */
  bodyFor?: (index: number, device: HostDevice) => string;
  expect: number[];
}

/** A host run and what feeding it cost. */
export interface HostRun {
  result: LoadResult;
  /** Single-use assertions signed for this run (warm-up included) and the signing rate of the generator. */
  assertions: number;
  assertionsPerSecond: number;
}

function deviceAt(load: DeviceLoad, i: number): HostDevice {
  const device = load.devices[i % load.devices.length];
  if (device === undefined) throw new RangeError("no devices");
  return device;
}

function specFor(origin: string, options: BenchOptions, load: DeviceLoad, assertions: string[], indexBase: number): Omit<LoadSpec, "amount"> {
  const bodyFor = load.bodyFor;
  return {
    origin,
    path: load.path,
    method: load.method,
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    headers: bodyFor === undefined ? {} : { "content-type": "application/json" },
    perRequestHeaders: assertions.map((a, i) => ({ [ASSERTION_HEADER]: a, ...load.headersFor?.(deviceAt(load, i)) })),
    ...(bodyFor === undefined ? {} : { bodies: assertions.map((_, i) => bodyFor(indexBase + i, deviceAt(load, i))) }),
    expect: load.expect,
  };
}

/**
 * Loads the real host with fresh assertions: two warm-up runs estimate the rate, then the main run gets
 * rate x duration (x1.1) pre-signed assertions and stops after that many requests. `indexBase` keeps body indexes
 * growing across calls; `origin` sends the same load elsewhere (the raw-storage baseline). Throws when the main run answers fewer than 95 % as expected.
 */
export async function loadHost(bench: BenchHost, options: BenchOptions, load: DeviceLoad, indexBase = { next: 0 }, origin: string = bench.origin): Promise<HostRun> {
  const spare = options.connections * 2;
  const run = async (amount: number): Promise<{ result: LoadResult; perSecond: number }> => {
    const pool = await assertionPool(bench.host, load.devices, amount + spare);
    const base = indexBase.next;
    indexBase.next += amount + spare;
    const result = await runLoad({ ...specFor(origin, options, load, pool.values, base), amount });
    trace(`${origin === bench.origin ? "host" : origin} ${load.method} ${load.path}: ${pool.values.length} assertions at ${Math.round(pool.perSecond)}/s; ${result.requests} requests in ${result.seconds.toFixed(1)} s = ${Math.round(result.rps)}/s ${JSON.stringify(result.statuses)}`);
    return { result, perSecond: pool.perSecond };
  };
  // Two warm-ups: the first for the JIT and caches, the second (about a second long) to estimate the rate.
  const warmAmount = Math.max(64, options.connections * 4);
  const warm1 = await run(warmAmount);
  const calibrateAmount = Math.min(MAX_POOL, Math.max(warmAmount, Math.ceil(warm1.result.rps)));
  const warm2 = await run(calibrateAmount);
  const amount = Math.min(MAX_POOL, Math.max(warmAmount, Math.ceil(warm2.result.rps * options.durationSeconds * 1.1)));
  const main = await run(amount);
  if (main.result.expected < main.result.requests * 0.95) {
    throw new Error(`${load.method} ${load.path}: only ${main.result.expected} of ${main.result.requests} answered ${load.expect.join("/")}: ${JSON.stringify(main.result.statuses)}`);
  }
  return { result: main.result, assertions: warmAmount + calibrateAmount + amount + 3 * spare, assertionsPerSecond: main.perSecond };
}

/**
 * The same request pattern (same headers, a recycled sample of real assertions and bodies) against a plain
 * node:http server (own process) answering the recorded bytes from memory (304 for any of `etags`), for the same duration after
 * a one-second warm-up.
 */
export async function loadPlain(bench: BenchHost, options: BenchOptions, load: DeviceLoad, answer: RecordedAnswer, etags: readonly string[] = []): Promise<LoadResult> {
  const pool = await assertionPool(bench.host, load.devices, Math.min(500, Math.max(50, load.devices.length)));
  const plain = await startPlainServerProcess(answer, etags);
  try {
    const spec = specFor(plain.origin, options, load, pool.values, 0);
    await runLoad({ ...spec, durationSeconds: 1 });
    const result = await runLoad(spec);
    trace(`plain ${load.method} ${load.path}: ${result.requests} requests in ${result.seconds.toFixed(1)} s = ${Math.round(result.rps)}/s ${JSON.stringify(result.statuses)}`);
    return result;
  } finally {
    await plain.close();
  }
}
