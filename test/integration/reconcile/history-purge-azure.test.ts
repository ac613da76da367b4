import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runReconcilePass, wasSkipped } from "../../../lib/reconcile/pass.js";
import { historyPurgeTask } from "../../../lib/reconcile/tasks/history-purge.js";
import { startFakeDurableApi, type FakeDurableApi } from "../../support/fake-durable-api.js";
import { reconcileFixture, type ReconcileFixture } from "./reconcile-fixture.js";

// The history purge as it runs in Azure: the real Durable client against a local server answering the
// Durable HTTP API's purge-by-filter, so each call's count is what the extension would report.

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const BUDGET = 100;

let api: FakeDurableApi;
beforeAll(async () => {
  api = await startFakeDurableApi();
});
afterAll(async () => {
  await api.close();
});

function add(prefix: string, count: number, status: string, from: number, spanMs: number): void {
  for (let i = 0; i < count; i++) {
    api.instances.set(`${prefix}-${i}`, { name: "initialRun", runtimeStatus: status, input: null, createdTime: new Date(from + Math.floor((i * spanMs) / count)) });
  }
}

const left = (prefix: string): number => [...api.instances.keys()].filter((k) => k.startsWith(`${prefix}-`)).length;

/** A fixture whose orchestrations are the Durable client against the fake API. */
async function azureFixture(): Promise<ReconcileFixture> {
  const f = await reconcileFixture({ RJ_RETENTION_DAYS: "30" });
  f.services.orchestrations = () => api.client();
  return f;
}

/** Runs passes until two in a row purge nothing; the purged count of each pass that purged. */
async function passes(f: ReconcileFixture, max: number): Promise<number[]> {
  const counts: number[] = [];
  let idle = 0;
  for (let i = 0; i < max && idle < 2; i++) {
    const result = await runReconcilePass(f.services, { tasks: [historyPurgeTask], invocation: f.invocation, budget: BUDGET });
    if (wasSkipped(result)) throw new Error("the pass was skipped");
    const n = result.counts.purgedHistories ?? 0;
    idle = n === 0 ? idle + 1 : 0;
    if (n > 0) counts.push(n);
  }
  return counts;
}

describe("history purge in Azure (purge by creation window)", () => {
  it("when a day of finished runs is past the retention cutoff, then each pass purges within its budget and successive passes purge them all, keeping running and recent ones", async () => {
    api.instances.clear();
    const f = await azureFixture();
    const cutoff = f.clock.now() - 30 * DAY_MS;
    add("old", 1000, "Completed", cutoff - 22 * HOUR_MS, 20 * HOUR_MS);
    add("old-failed", 60, "Failed", cutoff - 10 * HOUR_MS, 5 * HOUR_MS);
    add("running", 20, "Running", cutoff - 12 * HOUR_MS, 6 * HOUR_MS);
    add("recent", 50, "Completed", cutoff + HOUR_MS, 5 * DAY_MS);

    const counts = await passes(f, 40);

    expect(Math.max(...counts)).toBeLessThanOrEqual(BUDGET);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1060);
    expect(counts.length).toBeLessThanOrEqual(20);
    expect(left("old") + left("old-failed")).toBe(0);
    expect(left("running")).toBe(20);
    expect(left("recent")).toBe(50);
  });

  it("when runs finish after the walk passed them and new ones age past the cutoff, then later passes purge the new ones from where the walk stopped (no rescan)", async () => {
    api.instances.clear();
    const f = await azureFixture();
    const cutoff = f.clock.now() - 30 * DAY_MS;
    add("first", 40, "Completed", cutoff - 6 * HOUR_MS, 4 * HOUR_MS);
    expect((await passes(f, 5)).reduce((a, b) => a + b, 0)).toBe(40);

    add("later", 30, "Terminated", cutoff + HOUR_MS, HOUR_MS);
    f.clock.advance(3 * HOUR_MS);
    api.requests.length = 0;
    expect((await passes(f, 5)).reduce((a, b) => a + b, 0)).toBe(30);
    expect(left("later")).toBe(0);
    const purgeCalls = api.requests.filter((r) => r.method === "DELETE");
    expect(purgeCalls.every((r) => Date.parse(r.query.createdTimeFrom ?? "") >= cutoff - 2 * HOUR_MS)).toBe(true);
  });

  it("when a burst denser than the last window arrives, then one call may exceed the budget by at most the burst, and the walk narrows so the next pass is within budget", async () => {
    api.instances.clear();
    const f = await azureFixture();
    const cutoff = f.clock.now() - 30 * DAY_MS;
    add("quiet", 200, "Completed", cutoff - 22 * HOUR_MS, 10 * HOUR_MS);
    add("burst", 400, "Completed", cutoff - 11 * HOUR_MS, 60_000);
    add("after", 300, "Completed", cutoff - 11 * HOUR_MS + 60_000, 10 * HOUR_MS);

    const counts = await passes(f, 60);

    expect(counts.reduce((a, b) => a + b, 0)).toBe(900);
    const over = counts.map((n, i) => ({ n, i })).filter((p) => p.n > BUDGET);
    expect(over.length).toBeLessThanOrEqual(1);
    for (const p of over) {
      expect(p.n).toBeLessThanOrEqual(BUDGET + 400);
      expect(counts[p.i + 1] ?? 0).toBeLessThanOrEqual(BUDGET);
    }
  });
});
