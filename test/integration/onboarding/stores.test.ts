import { randomBytes, randomUUID } from "node:crypto";
import { TableClient } from "@azure/data-tables";
import { describe, expect, inject, it } from "vitest";
import { HistoryStore } from "../../../lib/onboarding/history-store.js";
import { RecoveryKeyStore } from "../../../lib/onboarding/recovery-key-store.js";
import { ResultStore } from "../../../lib/onboarding/result-store.js";
import { RunStore, type RunRecord } from "../../../lib/onboarding/run-store.js";

async function table(): Promise<() => Promise<TableClient>> {
  const client = TableClient.fromConnectionString(inject("storageConnectionString"), `onb${randomBytes(6).toString("hex")}`, { allowInsecureConnection: true });
  await client.createTable();
  return async () => client;
}

const REALM = "11111111-1111-4111-8111-111111111111";
const OTHER_REALM = "22222222-2222-4222-8222-222222222222";

const record = (deviceId: string, over: Partial<RunRecord> = {}): RunRecord => ({
  realmId: REALM,
  deviceId,
  runId: `onb-${deviceId}-r1`,
  instanceId: `onb-${deviceId}`,
  attempt: 1,
  status: "running",
  phase: "system",
  startedAt: "2024-01-01T00:00:00.000Z",
  updatedAt: "2024-01-01T00:00:00.000Z",
  ...over,
});

describe("the run store on Azurite", () => {
  it("when two writers create the same device's run, then one creates and the other sees it exists", async () => {
    const runs = new RunStore(await table());
    const deviceId = randomUUID();
    const results = await Promise.all([runs.create(record(deviceId)), runs.create(record(deviceId))]);
    expect(results.sort()).toEqual(["created", "exists"]);
  });

  it("when a step is published, then reading the run gives it back, and another realm sees nothing", async () => {
    const runs = new RunStore(await table());
    const deviceId = randomUUID();
    await runs.create(record(deviceId));
    await runs.update(REALM, deviceId, (r) => (r === undefined ? undefined : { ...r, step: { id: "check-updates", kind: "check", publication: 1, name: "updates", mode: "audit" }, stepSeq: 2 }));
    expect(await runs.get(REALM, deviceId)).toMatchObject({ step: { id: "check-updates", name: "updates" }, stepSeq: 2 });
    expect(await runs.get(OTHER_REALM, deviceId)).toBeUndefined();
    expect((await runs.list(REALM)).map((r) => r.deviceId)).toEqual([deviceId]);
    expect(await runs.list(OTHER_REALM)).toEqual([]);
  });
});

describe("the result store on Azurite", () => {
  it("when the same step's result is recorded twice, then the second call gets the first record back", async () => {
    const results = new ResultStore(await table());
    const first = { hash: "aa", outcome: "succeeded" as const, receivedAt: "2024-01-01T00:00:00.000Z" };
    expect(await results.create(REALM, "d1", "run-1", "restart", first)).toBe("created");
    expect(await results.create(REALM, "d1", "run-1", "restart", { ...first, hash: "bb" })).toEqual(first);
    expect(await results.get(REALM, "d1", "run-2", "restart")).toBeUndefined();
  });
});

describe("the history store on Azurite", () => {
  it("when entries of two attempts and an answer are written out of order, then they list in run and transition order, and a rewrite replaces", async () => {
    const history = new HistoryStore(await table());
    const entry = (attempt: number, seq: number, event: "run-started" | "step-published" | "step-answered", answer?: true) => ({
      runId: `r${attempt}`,
      attempt,
      seq,
      at: "t",
      event,
      phase: "system" as const,
      ...(answer ? { answer } : {}),
    });
    await history.put(REALM, "d1", entry(2, 1, "run-started"));
    await history.put(REALM, "d1", entry(1, 2, "step-answered", true));
    await history.put(REALM, "d1", entry(1, 10, "step-published"));
    await history.put(REALM, "d1", entry(1, 2, "step-published"));
    await history.put(REALM, "d1", entry(1, 1, "run-started"));
    await history.put(REALM, "d1", { ...entry(1, 1, "run-started"), data: { checks: 4 } });
    const listed = await history.list(REALM, "d1");
    expect(listed.map((e) => `${e.attempt}:${e.seq}:${e.event}`)).toEqual(["1:1:run-started", "1:2:step-published", "1:2:step-answered", "1:10:step-published", "2:1:run-started"]);
    expect(listed[0]?.data).toEqual({ checks: 4 });
  });
});

describe("the recovery-key store on Azurite", () => {
  it("when a wrapped key is stored, then the row holds only the wrapped value", async () => {
    const getTable = await table();
    const keys = new RecoveryKeyStore(getTable);
    await keys.put(REALM, "d1", { keyId: "k1", runId: "r1", escrowedAt: "2024-01-01T00:00:00.000Z", wrapped: { kid: `${REALM}.v1`, alg: "A256GCM", value: "c2VjcmV0LWJ1dC13cmFwcGVk" } });
    expect(await keys.list(REALM, "d1")).toEqual([{ keyId: "k1", runId: "r1", escrowedAt: "2024-01-01T00:00:00.000Z", wrapped: { kid: `${REALM}.v1`, alg: "A256GCM", value: "c2VjcmV0LWJ1dC13cmFwcGVk" } }]);
    const raw = [];
    for await (const e of (await getTable()).listEntities()) raw.push(Object.keys(e).filter((k) => !["partitionKey", "rowKey", "etag", "timestamp"].includes(k)).sort());
    expect(raw).toEqual([["alg", "escrowedAt", "keyId", "kid", "runId", "value"]]);
    expect(await keys.list(OTHER_REALM, "d1")).toEqual([]);
  });
});
