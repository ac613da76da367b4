import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { CONTOSO_TENANT_ID } from "../../lib/directory/demo-directory.js";
import { describeEndpoint } from "../../lib/http/endpoint.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { registry } from "../../lib/registry/index.js";
import { fuzzIdentities, type FuzzIdentities } from "./support/fuzz-credentials.js";
import { edgeCases, KNOWN_5XX, parameterCase, unknownExclusions, type ParameterCase } from "./support/fuzz-parameters.js";
import { rawRequest, type RawResponse } from "./support/raw-http.js";
import { startReliabilityHost } from "./support/reliability-host.js";
import { settledSnapshot, snapshotTables, type SnapshotOptions } from "./support/table-snapshot.js";

/*
 * route-fuzz.test.ts fuzzes bodies (and identities); this file keeps the route's own identity and a valid body and
 * fuzzes what else a client controls: the conditional, range, PeerDist and content-type headers, the query and the
 * path parameters. Zero 5xx, every refusal is problem+json, nothing hangs and refused requests store nothing.
 */

// Bounded: the same number of runs per route; a failure stops at once and prints the seed (RJ_FUZZ_SEED replays it).
const RUNS_PER_ROUTE = 15;
const REQUEST_TIMEOUT_MS = 10_000;
const SEED = process.env["RJ_FUZZ_SEED"];

let host: RunningLocalHost;
let identities: FuzzIdentities;
let storage: SnapshotOptions;
let settled: Record<string, string> | undefined;

beforeAll(async () => {
  host = await startReliabilityHost({
    // A generous device budget (the rate limit has its own tests) and step timeouts longer than the file, so no
    // onboarding run of the enrolled devices moves on its own while refused requests are compared with storage.
    env: { RJ_DEVICE_RATE_PER_MINUTE: "1000000", RJ_STEP_TIMEOUT_SECONDS: "864000" },
  });
  identities = await fuzzIdentities(host);
  storage = { connectionString: inject("storageConnectionString"), prefix: host.services.settings.RJ_TABLE_PREFIX };
  settled = await settledSnapshot(storage);
});
afterAll(async () => {
  await host.stop();
});

const existing = () => ({ deviceId: identities.deviceId, tenantId: CONTOSO_TENANT_ID });

function describeCase(c: ParameterCase, res: RawResponse): string {
  const headers = Object.entries(c.headers).map(([k, v]) => `${k}: ${v.length > 80 ? `${v.slice(0, 80)}…(${v.length})` : v}`);
  return `${c.method} ${c.path.length > 200 ? `${c.path.slice(0, 200)}…(${c.path.length})` : c.path} as ${c.credentials} [${headers.join(" | ")}] -> ${res.status}`;
}

function assertWellFormedAnswer(c: ParameterCase, res: RawResponse): void {
  const what = describeCase(c, res);
  expect(res.status, what).toBeGreaterThanOrEqual(200);
  expect(res.status, what).toBeLessThan(500);
  if (res.status < 400) return;
  expect(res.headers["content-type"], what).toBe("application/problem+json");
  if (c.method === "HEAD") return;
  const problem = JSON.parse(res.body.toString("utf8")) as Record<string, unknown>;
  expect(problem, what).toMatchObject({ status: res.status });
}

function diff(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).map((k) => (before[k] === undefined ? `added ${k}` : after[k] === undefined ? `removed ${k}` : `changed ${k}`));
}

describe("the parameter fuzzer's list of known 5xx inputs", () => {
  it("when an entry is listed, then it names an existing route and one of the parameters this fuzzer varies (so it cannot hide anything else)", () => {
    expect(unknownExclusions(registry.http)).toEqual([]);
    expect(new Set(KNOWN_5XX.map((k) => `${k.route} ${k.place} ${k.name}`)).size).toBe(KNOWN_5XX.length);
  });
});

describe("fuzzing headers, query and path parameters of every registered route", () => {
  for (const entry of registry.http) {
    const auth = describeEndpoint(entry.handler)?.auth ?? "none";
    it(`when ${entry.name} (${entry.methods.join(",")} /api/${entry.route}) gets hostile If-Match, If-None-Match, Range, Accept-Encoding, X-P2P-PeerDist, Content-Type, query and path values as its own ${auth} caller, then it never answers 5xx, refusals are problem+json, nothing hangs and refused requests store nothing`, async () => {
      let baseline = settled ?? (await settledSnapshot(storage));
      settled = undefined;
      let refusedSinceBaseline: string[] = [];
      await fc.assert(
        fc.asyncProperty(parameterCase(entry, auth, existing()), async (c) => {
          const headers: Record<string, string> = { ...(await identities.headersFor(c.credentials)), ...c.headers };
          if (c.body !== undefined && headers["content-type"] === undefined) headers["content-type"] = "application/json";
          const res = await rawRequest(host.port, { method: c.method, path: c.path, headers, ...(c.body !== undefined ? { body: c.body } : {}) }, REQUEST_TIMEOUT_MS);
          assertWellFormedAnswer(c, res);
          if (res.status >= 400) {
            refusedSinceBaseline.push(describeCase(c, res));
          } else if (c.method !== "GET" && c.method !== "HEAD") {
            // An accepted write may change storage and start background work: compare from after it settles.
            const now = await snapshotTables(storage);
            if (diff(baseline, now).length > 0) baseline = await settledSnapshot(storage);
            refusedSinceBaseline = [];
          }
        }),
        { numRuns: RUNS_PER_ROUTE, examples: edgeCases(entry, auth, existing()).map((c) => [c] as [ParameterCase]), endOnFailure: true, ...(SEED !== undefined && SEED !== "" ? { seed: Number(SEED) } : {}) },
      );
      const after = await snapshotTables(storage);
      const changes = diff(baseline, after);
      if (changes.length === 0) settled = after;
      expect(changes, `refused requests changed storage:\n${changes.slice(0, 10).join("\n")}\nafter:\n${refusedSinceBaseline.slice(0, 20).join("\n")}`).toEqual([]);
    }, 90_000);
  }
});
