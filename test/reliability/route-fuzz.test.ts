import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { registry } from "../../lib/registry/index.js";
import { fuzzIdentities, type FuzzIdentities } from "./support/fuzz-credentials.js";
import { fuzzCase, type FuzzCase } from "./support/fuzz-requests.js";
import { rawRequest, type RawResponse } from "./support/raw-http.js";
import { startReliabilityHost } from "./support/reliability-host.js";
import { settledSnapshot, snapshotTables, type SnapshotOptions } from "./support/table-snapshot.js";

// Bounded: every route gets the same number of runs; a failure stops at once (no shrinking of huge bodies).
const RUNS_PER_ROUTE = 30;
const REQUEST_TIMEOUT_MS = 10_000;
// Replays a failure: fast-check prints the seed of a failing run.
const SEED = process.env["RJ_FUZZ_SEED"];

let host: RunningLocalHost;
let identities: FuzzIdentities;
let storage: SnapshotOptions;
/** Storage as the previous route left it, when that route's check passed (so it need not settle again). */
let settled: Record<string, string> | undefined;

beforeAll(async () => {
  // A generous device budget: this file probes validation, the rate limit has its own tests. Step timeouts longer
  // than the file: an enrolled device's onboarding run must not move on its own while storage is compared.
  host = await startReliabilityHost({ env: { RJ_DEVICE_RATE_PER_MINUTE: "1000000", RJ_STEP_TIMEOUT_SECONDS: "864000" } });
  identities = await fuzzIdentities(host);
  storage = { connectionString: inject("storageConnectionString"), prefix: host.services.settings.RJ_TABLE_PREFIX };
  settled = await settledSnapshot(storage);
});
afterAll(async () => {
  await host.stop();
});

function describeCase(c: FuzzCase, res: RawResponse): string {
  return `${c.method} ${c.path.slice(0, 160)} as ${c.credentials} -> ${res.status}`;
}

function assertWellFormedAnswer(c: FuzzCase, res: RawResponse): void {
  const what = describeCase(c, res);
  expect(res.status, what).toBeGreaterThanOrEqual(200);
  expect(res.status, what).toBeLessThan(500);
  if (res.status < 400) return;
  expect(res.headers["content-type"], what).toBe("application/problem+json");
  const requestId = res.headers["x-request-id"];
  expect(typeof requestId, what).toBe("string");
  expect(String(requestId).length, what).toBeGreaterThan(0);
  if (c.method === "HEAD") return;
  const problem = JSON.parse(res.body.toString("utf8")) as Record<string, unknown>;
  expect(problem, what).toMatchObject({ status: res.status, requestId });
  expect(typeof problem["type"], what).toBe("string");
}

function diff(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).map((k) => (before[k] === undefined ? `added ${k}` : after[k] === undefined ? `removed ${k}` : `changed ${k}`));
}

describe("the storage snapshot the fuzz compares", () => {
  it("when a row of the host's tables changes, then the snapshot shows it (so the no-change check is not vacuous)", async () => {
    const before = await snapshotTables(storage);
    expect(Object.keys(before).some((k) => k.startsWith(`${storage.prefix}Devices/`))).toBe(true);
    const table = await host.services.tables.table("Policies");
    await table.upsertEntity({ partitionKey: "snapshot-probe", rowKey: "probe", value: 1 });
    expect(diff(before, await snapshotTables(storage))).toEqual([`added ${storage.prefix}Policies/snapshot-probe/probe`]);
    await table.deleteEntity("snapshot-probe", "probe");
    settled = undefined;
  });
});

describe("fuzzing every registered route", () => {
  for (const entry of registry.http) {
    it(`when ${entry.name} (${entry.methods.join(",")} /api/${entry.route}) gets random, malformed and hostile requests, then it never answers 5xx, every error is problem+json with a request id, nothing hangs and refused requests store nothing`, async () => {
      let baseline = settled ?? (await settledSnapshot(storage));
      settled = undefined;
      let refusedSinceBaseline: string[] = [];
      await fc.assert(
        fc.asyncProperty(fuzzCase(entry), async (c) => {
          const headers: Record<string, string> = { ...c.headers, ...(await identities.headersFor(c.credentials)) };
          if (c.contentType !== undefined) headers["content-type"] = c.contentType;
          const res = await rawRequest(host.port, { method: c.method, path: c.path, headers, ...(c.body !== undefined ? { body: c.body } : {}) }, REQUEST_TIMEOUT_MS);
          assertWellFormedAnswer(c, res);
          if (res.status >= 400) {
            refusedSinceBaseline.push(describeCase(c, res));
          } else {
            // An accepted request may change storage and start background work (which writes first, then
            // continues): when it changed anything, compare from after storage settles.
            const now = await snapshotTables(storage);
            if (diff(baseline, now).length > 0) baseline = await settledSnapshot(storage);
            refusedSinceBaseline = [];
          }
        }),
        { numRuns: RUNS_PER_ROUTE, endOnFailure: true, ...(SEED !== undefined && SEED !== "" ? { seed: Number(SEED) } : {}) },
      );
      const after = await snapshotTables(storage);
      const changes = diff(baseline, after);
      if (changes.length === 0) settled = after;
      expect(changes, `refused requests changed storage:\n${changes.slice(0, 10).join("\n")}\nafter:\n${refusedSinceBaseline.slice(0, 20).join("\n")}`).toEqual([]);
    }, 90_000);
  }
});
