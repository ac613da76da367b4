import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { CONTOSO_TENANT_ID } from "../../lib/directory/demo-directory.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { asUser, assertionFor, newDevice, stateReport, userToken, type HostDevice } from "../support/host-identities.js";
import { buildNupkg } from "../support/nupkg-builder.js";
import { describeStorageRequest, startStorageProxy, type StorageProxy, type StorageRequest } from "../support/storage-proxy.js";
import { startTestHost } from "../support/test-host.js";

// Storage requests per agent request after warm-up, counted at the wire (issue 16's goals): a regression fails here.
const GOALS = { config304: 2, manifest304: 2, stateReport: 3 } as const;

let proxy: StorageProxy;
let host: RunningLocalHost;
let device: HostDevice;
let prefix: string;

// A yearly schedule keeps reconciliation out of the counting windows.
const QUIET = { RJ_RECONCILE_SCHEDULE: "0 0 0 1 1 *" };

beforeAll(async () => {
  proxy = await startStorageProxy(inject("storageConnectionString"));
  host = await startTestHost({ storage: proxy.connectionString, env: QUIET });
  prefix = host.services.settings.RJ_TABLE_PREFIX;
  const admin = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
  const published = await fetch(`${host.url}/api/admin/v1/packages`, {
    method: "PUT",
    headers: { authorization: `Bearer ${admin}`, "content-type": "application/octet-stream" },
    body: buildNupkg({ id: "Count.Tool", version: "1.0.0" }),
  });
  expect(published.status).toBe(201);
  const assigned = await asUser(host, admin, "/api/admin/v1/assignments/count-tool", { method: "PUT", body: { packageId: "Count.Tool", target: { type: "all" }, intent: "required" } });
  expect([200, 201]).toContain(assigned.status);
  device = await newDevice(host, CONTOSO_TENANT_ID);
  const enrolled = await fetch(`${host.url}/api/agent/v1/enroll`, {
    method: "POST",
    headers: { "x-rj-device-assertion": await assertionFor(host, device), authorization: `Bearer ${await userToken(host, CONTOSO_TENANT_ID)}` },
  });
  expect(enrolled.status).toBe(201);
});

afterAll(async () => {
  await host?.stop();
  await proxy?.close();
});

/** Sends one agent request (its assertion signed before counting starts) and returns the answer and the storage requests it made. */
async function counted(path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<{ res: Response; storage: StorageRequest[] }> {
  const headers: Record<string, string> = { "x-rj-device-assertion": await assertionFor(host, device), ...init.headers };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const mark = proxy.mark();
  const res = await fetch(`${host.url}${path}`, { method: init.method ?? "GET", headers, ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
  await res.arrayBuffer();
  return { res, storage: await proxy.since(mark) };
}

const names = (storage: StorageRequest[]): string[] => storage.map((r) => describeStorageRequest(r, prefix));

let sequence = 0;
const report = (overrides: Record<string, unknown> = {}) => stateReport(++sequence, { installed: [{ id: "Count.Tool", version: "1.0.0", status: "installed" }], ...overrides });

describe("storage requests per agent request (counted at a proxy in front of Azurite)", () => {
  it(`when an unchanged configuration is polled, then the 304 costs at most ${GOALS.config304} storage requests`, async () => {
    const first = await counted("/api/agent/v1/config");
    expect(first.res.status).toBe(200);
    const etag = first.res.headers.get("etag") ?? "";
    await counted("/api/agent/v1/config", { headers: { "if-none-match": etag } });
    const poll = await counted("/api/agent/v1/config", { headers: { "if-none-match": etag } });
    expect(poll.res.status).toBe(304);
    expect(names(poll.storage).length, names(poll.storage).join(", ")).toBeLessThanOrEqual(GOALS.config304);
    expect(names(poll.storage)).toContain("insert ReplayCache");
  });

  it(`when an unchanged manifest is polled, then the 304 costs at most ${GOALS.manifest304} storage requests`, async () => {
    const first = await counted("/api/agent/v1/packages");
    expect(first.res.status).toBe(200);
    const etag = first.res.headers.get("etag") ?? "";
    await counted("/api/agent/v1/packages", { headers: { "if-none-match": etag } });
    const poll = await counted("/api/agent/v1/packages", { headers: { "if-none-match": etag } });
    expect(poll.res.status).toBe(304);
    expect(names(poll.storage).length, names(poll.storage).join(", ")).toBeLessThanOrEqual(GOALS.manifest304);
  });

  it(`when a state report arrives, then it costs at most ${GOALS.stateReport} storage requests: the jti insert, one device read and one conditional write`, async () => {
    await counted("/api/agent/v1/state", { method: "POST", body: report() });
    const second = await counted("/api/agent/v1/state", { method: "POST", body: report() });
    expect(second.res.status).toBe(202);
    expect(names(second.storage).length, names(second.storage).join(", ")).toBeLessThanOrEqual(GOALS.stateReport);
    expect(second.storage.filter((r) => r.op === "update")).toHaveLength(1);
  });

  it("when a report lists 600 packages twice, then both are accepted, the list goes to a blob once, and the repeat costs the same 3 requests", async () => {
    const installed = Array.from({ length: 600 }, (_, i) => ({ id: `Large.Package.Number.${i}.With.A.Long.Identifier`, version: `10.${i}.0-preview.${i}`, status: "installed" }));
    const first = await counted("/api/agent/v1/state", { method: "POST", body: report({ installed }) });
    expect(first.res.status).toBe(202);
    // One stored blob (the container itself appears on the realm's first large report: a 404, its creation, then the write).
    expect(first.storage.filter((r) => r.service === "blob" && r.op === "upsert" && r.status < 300)).toHaveLength(1);
    const repeat = await counted("/api/agent/v1/state", { method: "POST", body: report({ installed }) });
    expect(repeat.res.status).toBe(202);
    expect(names(repeat.storage).length, names(repeat.storage).join(", ")).toBeLessThanOrEqual(GOALS.stateReport);
    const stored = await host.services.devices.latestReport(CONTOSO_TENANT_ID, device.deviceId);
    expect(stored?.installed).toEqual(installed);
    expect(stored?.sequence).toBe(sequence);
  });

  it("when the large list shrinks to a few packages, then it moves back into the device row and the blob is removed", async () => {
    const small = report();
    const res = await counted("/api/agent/v1/state", { method: "POST", body: small });
    expect(res.res.status).toBe(202);
    expect(res.storage.filter((r) => r.service === "blob").map((r) => r.op)).toEqual(["delete"]);
    expect((await host.services.devices.latestReport(CONTOSO_TENANT_ID, device.deviceId))?.installed).toEqual(small["installed"]);
  });

  it("when a report repeats an old sequence, then it costs the jti insert and one device read", async () => {
    const old = await counted("/api/agent/v1/state", { method: "POST", body: stateReport(1) });
    expect(old.res.status).toBe(202);
    expect(names(old.storage)).toEqual(["insert ReplayCache", "read Devices"]);
  });
});

describe("state reports of any size the schema accepts", () => {
  it("when a report carries 2,000 packages with the longest ids and versions, then it is accepted and kept in full", async () => {
    const installed = Array.from({ length: 2000 }, (_, i) => ({ id: `${"P".repeat(94)}${String(i).padStart(6, "0")}`, version: `${"9".repeat(58)}.${String(i).padStart(5, "0")}`, status: "failed" }));
    const res = await counted("/api/agent/v1/state", { method: "POST", body: report({ installed }) });
    expect(res.res.status).toBe(202);
    expect((await host.services.devices.latestReport(CONTOSO_TENANT_ID, device.deviceId))?.installed).toHaveLength(2000);
    const admin = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
    const shown = (await (await asUser(host, admin, `/api/admin/v1/devices/${device.deviceId}`)).json()) as { state: { installed: unknown[] }; reports: unknown[] };
    expect(shown.state.installed).toHaveLength(2000);
    expect(shown.reports.length).toBeGreaterThan(1);
  });
});
