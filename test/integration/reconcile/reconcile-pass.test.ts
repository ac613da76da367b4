import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { InstanceMeta, RuntimeStatus } from "../../../lib/durable/store.js";
import { runReconcilePass, wasSkipped, type ReconcilePassReport } from "../../../lib/reconcile/pass.js";
import { historyPurgeTask } from "../../../lib/reconcile/tasks/history-purge.js";
import { replayCachePurgeTask } from "../../../lib/reconcile/tasks/replay-cache-purge.js";
import { staleDevicesTask } from "../../../lib/reconcile/tasks/stale-devices.js";
import { stuckRunsTask, type OnboardingReconciler, type StuckRun } from "../../../lib/reconcile/tasks/stuck-runs.js";
import { reconcileTasks } from "../../../lib/reconcile/default-tasks.js";
import { addDevice, addRealm, reconcileFixture, type ReconcileFixture } from "./reconcile-fixture.js";

const DAY_MS = 86_400_000;
const REALM_A = "aaaaaaaa-0000-4000-8000-000000000001";
const REALM_B = "bbbbbbbb-0000-4000-8000-000000000002";

function report(result: Awaited<ReturnType<typeof runReconcilePass>>): ReconcilePassReport {
  if (wasSkipped(result)) throw new Error("the pass was skipped");
  return result;
}

async function staleIds(f: ReconcileFixture, realmId: string): Promise<string[]> {
  const page = await f.services.devices.list(realmId, 1000);
  return page.devices.filter((d) => d.stale).map((d) => d.deviceId).sort();
}

describe("reconciliation pass: stale devices", () => {
  it("when devices were not seen for RJ_STALE_DEVICE_DAYS, then the pass marks exactly them stale and reports the count as one event", async () => {
    const f = await reconcileFixture({ RJ_STALE_DEVICE_DAYS: "30" });
    await addRealm(f.services, REALM_A);
    await addDevice(f, REALM_A, "old-seen", 31);
    await addDevice(f, REALM_A, "never-seen", null);
    await addDevice(f, REALM_A, "recent", 29);
    await addDevice(f, REALM_A, "already-stale", 90, true);

    const result = report(await runReconcilePass(f.services, { tasks: [staleDevicesTask], invocation: f.invocation }));

    expect(result.counts.staleDevices).toBe(2);
    expect(await staleIds(f, REALM_A)).toEqual(["already-stale", "never-seen", "old-seen"]);
    const events = f.telemetry.events.filter((e) => e.name === "ReconcilePass");
    expect(events).toHaveLength(1);
    expect(events[0]?.dimensions).toMatchObject({ staleDevices: "2", budgetExhausted: "false" });
  });

  it("when the pass runs again, then it changes nothing (idempotent)", async () => {
    const f = await reconcileFixture();
    await addRealm(f.services, REALM_A);
    await addDevice(f, REALM_A, "old", 45);
    report(await runReconcilePass(f.services, { tasks: [staleDevicesTask], invocation: f.invocation }));
    const again = report(await runReconcilePass(f.services, { tasks: [staleDevicesTask], invocation: f.invocation }));
    expect(again.counts.staleDevices).toBe(0);
  });

  it("when the fleet is larger than the budget, then successive passes continue where the last stopped and cover every realm", async () => {
    const f = await reconcileFixture();
    await addRealm(f.services, REALM_A);
    await addRealm(f.services, REALM_B);
    for (let i = 0; i < 30; i++) await addDevice(f, REALM_A, `a-${String(i).padStart(2, "0")}`, 60);
    for (let i = 0; i < 15; i++) await addDevice(f, REALM_B, `b-${String(i).padStart(2, "0")}`, 60);

    const counts: number[] = [];
    const exhausted: boolean[] = [];
    for (let pass = 0; pass < 4; pass++) {
      const r = report(await runReconcilePass(f.services, { tasks: [staleDevicesTask], invocation: f.invocation, budget: 20 }));
      counts.push(r.counts.staleDevices ?? 0);
      exhausted.push(r.budgetExhausted);
    }

    expect(counts).toEqual([20, 20, 5, 0]);
    expect(exhausted.slice(0, 2)).toEqual([true, true]);
    expect(await staleIds(f, REALM_A)).toHaveLength(30);
    expect(await staleIds(f, REALM_B)).toHaveLength(15);
  });

  it("when an admin's pass is scoped to one realm, then only that realm's devices change and global tasks do not run", async () => {
    const f = await reconcileFixture();
    await addRealm(f.services, REALM_A);
    await addRealm(f.services, REALM_B);
    await addDevice(f, REALM_A, "a", 60);
    await addDevice(f, REALM_B, "b", 60);
    const r = report(await runReconcilePass(f.services, { tasks: reconcileTasks, invocation: f.invocation, realmId: REALM_A }));
    expect(r.counts.staleDevices).toBe(1);
    expect(Object.keys(r.tasks)).not.toContain("replay-cache-purge");
    expect(Object.keys(r.tasks)).not.toContain("history-purge");
    expect(await staleIds(f, REALM_B)).toEqual([]);
  });
});

describe("reconciliation pass: concurrency", () => {
  it("when two passes start at once, then one holds the lease, the other skips, and every device is marked once", async () => {
    const f = await reconcileFixture();
    await addRealm(f.services, REALM_A);
    for (let i = 0; i < 25; i++) await addDevice(f, REALM_A, `d-${i}`, 60);

    const results = await Promise.all([
      runReconcilePass(f.services, { tasks: [staleDevicesTask], invocation: f.invocation }),
      runReconcilePass(f.services, { tasks: [staleDevicesTask], invocation: f.invocation }),
    ]);

    expect(results.filter(wasSkipped)).toEqual([{ skipped: "lease-held" }]);
    const ran = results.filter((r): r is ReconcilePassReport => !wasSkipped(r));
    expect(ran.map((r) => r.counts.staleDevices)).toEqual([25]);
    expect(await staleIds(f, REALM_A)).toHaveLength(25);
  });

  it("when the previous pass finished, then the next one gets the lease", async () => {
    const f = await reconcileFixture();
    report(await runReconcilePass(f.services, { tasks: [], invocation: f.invocation }));
    report(await runReconcilePass(f.services, { tasks: [], invocation: f.invocation }));
  });
});

describe("reconciliation pass: purges", () => {
  it("when replay-cache records expired, then the pass deletes them and keeps the live ones", async () => {
    const f = await reconcileFixture();
    const now = f.clock.now();
    for (let i = 0; i < 3; i++) await f.services.replayCache.remember(REALM_A, `old-${i}`, now - 1000);
    await f.services.replayCache.remember(REALM_A, "live", now + 60_000);
    const r = report(await runReconcilePass(f.services, { tasks: [replayCachePurgeTask], invocation: f.invocation }));
    expect(r.counts.purgedReplayEntries).toBe(3);
    expect(await f.services.replayCache.remember(REALM_A, "live", now + 60_000)).toBe("replay");
    expect(await f.services.replayCache.remember(REALM_A, "old-0", now + 60_000)).toBe("new");
  });

  it("when finished orchestrations are older than RJ_RETENTION_DAYS, then their histories are purged and running ones are kept", async () => {
    const f = await reconcileFixture({ RJ_RETENTION_DAYS: "30" });
    const instance = async (status: RuntimeStatus): Promise<string> => {
      const instanceId = `run-${status}-${randomUUID()}`;
      const iso = new Date(f.clock.now()).toISOString();
      const meta: InstanceMeta = { instanceId, name: "initialRun", executionId: randomUUID(), runtimeStatus: status, input: null, output: null, customStatus: null, createdTime: iso, lastUpdatedTime: iso, timers: [] };
      await f.store.create(meta);
      return instanceId;
    };
    const completed = await instance("Completed");
    const failed = await instance("Failed");
    const running = await instance("Running");

    const early = report(await runReconcilePass(f.services, { tasks: [historyPurgeTask], invocation: f.invocation }));
    expect(early.counts.purgedHistories).toBe(0);

    f.clock.advance(31 * DAY_MS);
    const later = report(await runReconcilePass(f.services, { tasks: [historyPurgeTask], invocation: f.invocation }));

    expect(later.counts.purgedHistories).toBe(2);
    expect(await f.store.getMeta(completed)).toBeUndefined();
    expect(await f.store.getMeta(failed)).toBeUndefined();
    expect(await f.store.getMeta(running)).toBeDefined();
  });
});

/** The onboarding module's side, as an in-memory table of runs (the real one lands with lib/onboarding). */
class RecordingOnboarding implements OnboardingReconciler {
  readonly redriven: string[] = [];
  readonly failed: string[] = [];
  constructor(private readonly runs: StuckRun[]) {}
  async findStuck(realmId: string, _olderThanMs: number, limit: number): Promise<StuckRun[]> {
    return this.runs.filter((r) => r.realmId === realmId && !this.failed.includes(r.runId) && !this.redriven.includes(r.runId)).slice(0, limit);
  }
  async redrive(run: StuckRun): Promise<boolean> {
    this.redriven.push(run.runId);
    return true;
  }
  async fail(run: StuckRun, _reason: string): Promise<boolean> {
    this.failed.push(run.runId);
    return true;
  }
}

describe("reconciliation pass: stuck initial runs", () => {
  it("when runs are stuck, then those with retries left are re-driven once and the others failed, even with two passes at once", async () => {
    const f = await reconcileFixture({ RJ_STEP_RETRIES: "2" });
    await addRealm(f.services, REALM_A);
    const since = new Date(0).toISOString();
    const onboarding = new RecordingOnboarding([
      { realmId: REALM_A, deviceId: "d1", runId: "r1", since, redrives: 0 },
      { realmId: REALM_A, deviceId: "d2", runId: "r2", since, redrives: 1 },
      { realmId: REALM_A, deviceId: "d3", runId: "r3", since, redrives: 2 },
    ]);
    const task = stuckRunsTask(() => onboarding);

    const results = await Promise.all([
      runReconcilePass(f.services, { tasks: [task], invocation: f.invocation }),
      runReconcilePass(f.services, { tasks: [task], invocation: f.invocation }),
    ]);

    expect(onboarding.redriven.sort()).toEqual(["r1", "r2"]);
    expect(onboarding.failed).toEqual(["r3"]);
    const ran = results.filter((r): r is ReconcilePassReport => !wasSkipped(r));
    expect(ran).toHaveLength(1);
    expect(ran[0]?.counts).toMatchObject({ stuckRuns: 2, failedRuns: 1 });
  });
});
