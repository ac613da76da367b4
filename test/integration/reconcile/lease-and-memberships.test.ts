import { TableClient } from "@azure/data-tables";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ManualClock } from "../../../lib/core/clock.js";
import { GraphDirectory } from "../../../lib/directory/graph-directory.js";
import { RealmRoutedDirectory } from "../../../lib/directory/realm-routed-directory.js";
import { TableLease } from "../../../lib/reconcile/lease.js";
import { runReconcilePass, wasSkipped } from "../../../lib/reconcile/pass.js";
import { membershipRefreshTask } from "../../../lib/reconcile/tasks/membership-refresh.js";
import { startFakeGraph, type FakeGraph } from "../../support/fake-graph.js";
import { addRealm, reconcileFixture } from "./reconcile-fixture.js";

describe("TableLease", () => {
  async function table(): Promise<TableClient> {
    const client = TableClient.fromConnectionString(inject("storageConnectionString"), `lease${randomBytes(6).toString("hex")}`, { allowInsecureConnection: true });
    await client.createTable();
    return client;
  }

  it("when one holder has the lease, then another cannot take it until it expires, and the first then loses it", async () => {
    const client = await table();
    const clock = new ManualClock(Date.now());
    const first = await TableLease.acquire(client, "pass", 60_000, clock);
    expect(first).toBeDefined();
    expect(await TableLease.acquire(client, "pass", 60_000, clock)).toBeUndefined();

    clock.advance(61_000);
    const second = await TableLease.acquire(client, "pass", 60_000, clock);
    expect(second).toBeDefined();
    expect(await first?.renew()).toBe(false);
    expect(first?.lost).toBe(true);
    expect(await second?.renew()).toBe(true);
  });

  it("when the holder releases, then the next acquire succeeds at once", async () => {
    const client = await table();
    const clock = new ManualClock(Date.now());
    const first = await TableLease.acquire(client, "pass", 60_000, clock);
    await first?.release();
    expect(await TableLease.acquire(client, "pass", 60_000, clock)).toBeDefined();
  });
});

describe("reconciliation pass: membership cache", () => {
  let graph: FakeGraph;
  beforeAll(async () => {
    graph = await startFakeGraph();
  });
  afterAll(async () => {
    await graph.close();
  });

  it("when a Graph realm's memberships are cached and change in Graph, then after a pass the next read sees the change; NoGraph realms are left alone", async () => {
    const f = await reconcileFixture();
    const graphRealm = "cccccccc-0000-4000-8000-000000000003";
    await addRealm(f.services, graphRealm, { noGraph: false });
    await addRealm(f.services, "dddddddd-0000-4000-8000-000000000004", { noGraph: true });
    const userId = "11111111-2222-4333-8444-555555555555";
    graph.state.users.push({ id: userId, userPrincipalName: "u@graph.example" });
    graph.state.userGroups.set(userId, ["g1"]);
    const directory = new RealmRoutedDirectory(
      f.services.realms,
      f.services.localDirectory,
      new GraphDirectory({
        credentialFor: () => ({ getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 3_600_000 }) }),
        settings: { baseUrl: graph.baseUrl, membershipCacheTtlMs: 3_600_000 },
        clock: f.clock,
        fetch: graph.fetch,
      }),
    );
    f.services.directory = directory;

    expect(await directory.transitiveGroupIds(graphRealm, userId)).toEqual(["g1"]);
    graph.state.userGroups.set(userId, ["g1", "g2"]);
    expect(await directory.transitiveGroupIds(graphRealm, userId)).toEqual(["g1"]);

    const result = await runReconcilePass(f.services, { tasks: [membershipRefreshTask], invocation: f.invocation });
    if (wasSkipped(result)) throw new Error("skipped");
    expect(result.counts.refreshedMemberships).toBe(1);
    expect(await directory.transitiveGroupIds(graphRealm, userId)).toEqual(["g1", "g2"]);
  });
});
