import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { asDevice, asUser, newDevice, operatorToken, userToken, type HostDevice } from "../support/host-identities.js";
import { startTestHost, uniquePrefix } from "../support/test-host.js";

// Two instances of the back-end over one storage, as in Azure: each caches realm rows for RJ_REALM_CACHE_SECONDS.
const BOUND_SECONDS = 1;
let a: RunningLocalHost;
let b: RunningLocalHost;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "rj-two-"));
  const env = { RJ_TABLE_PREFIX: uniquePrefix(), RJ_REALM_CACHE_SECONDS: String(BOUND_SECONDS), RJ_RECONCILE_SCHEDULE: "0 0 0 1 1 *" };
  a = await startTestHost({ dataDir, env });
  b = await startTestHost({ dataDir, env });
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
});

const pastTheBound = () => new Promise((r) => setTimeout(r, BOUND_SECONDS * 1000 + 200));

/** A fresh realm (device CA trust with the shared dev CA) created through `via`, and an enrolled device of it. */
async function realmWithDevice(via: RunningLocalHost): Promise<{ tenantId: string; device: HostDevice }> {
  const tenantId = randomUUID();
  const caPem = via.services.dev?.ca.caPem() ?? "";
  const put = await asUser(via, await operatorToken(via), `/api/operator/v1/realms/${tenantId}`, { method: "PUT", body: { name: "Bound Test", deviceTrust: "device-ca", deviceCaPem: caPem, noGraph: true } });
  expect(put.status).toBe(201);
  const device = await newDevice(via, tenantId);
  expect((await asDevice(via, device, "/api/agent/v1/enroll", { method: "POST" })).status).toBe(201);
  return { tenantId, device };
}

describe("realm and policy changes across instances (RJ_REALM_CACHE_SECONDS)", () => {
  it("when a realm is disabled through one instance, then that instance refuses at once and the other within the bound", async () => {
    const { tenantId, device } = await realmWithDevice(a);
    expect((await asDevice(a, device, "/api/agent/v1/config")).status).toBe(200);
    expect((await asDevice(b, device, "/api/agent/v1/config")).status).toBe(200);

    expect((await asUser(b, await operatorToken(b), `/api/operator/v1/realms/${tenantId}/disable`, { method: "POST" })).status).toBe(200);
    const here = await asDevice(b, device, "/api/agent/v1/config");
    expect(here.status).toBe(403);

    await pastTheBound();
    const there = await asDevice(a, device, "/api/agent/v1/config");
    expect(there.status).toBe(403);
    expect(((await there.json()) as { type: string }).type).toMatch(/realm-disabled$/);
  });

  it("when a realm is deleted through one instance, then the other answers 401 within the bound", async () => {
    const { tenantId, device } = await realmWithDevice(a);
    expect((await asDevice(a, device, "/api/agent/v1/config")).status).toBe(200);
    expect((await asUser(b, await operatorToken(b), `/api/operator/v1/realms/${tenantId}`, { method: "DELETE" })).status).toBeLessThan(300);
    await pastTheBound();
    expect((await asDevice(a, device, "/api/agent/v1/config")).status).toBe(401);
  });

  it("when a policy changes through one instance, then the other serves the new configuration within the bound", async () => {
    const { tenantId, device } = await realmWithDevice(a);
    const first = await asDevice(a, device, "/api/agent/v1/config");
    const etag = first.headers.get("etag") ?? "";
    expect((await asDevice(a, device, "/api/agent/v1/config", { headers: { "if-none-match": etag } })).status).toBe(304);

    const admin = await userToken(b, tenantId, { admin: true });
    const put = await asUser(b, admin, `/api/admin/v1/policies/device:${device.deviceId}`, { method: "PUT", body: { reportIntervalSeconds: 600 } });
    expect(put.status).toBeLessThan(300);
    const here = await asDevice(b, device, "/api/agent/v1/config", { headers: { "if-none-match": etag } });
    expect(here.status).toBe(200);

    await pastTheBound();
    const there = await asDevice(a, device, "/api/agent/v1/config", { headers: { "if-none-match": etag } });
    expect(there.status).toBe(200);
    expect(there.headers.get("etag")).toBe(here.headers.get("etag"));
  });
});
