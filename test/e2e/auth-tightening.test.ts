import { randomUUID } from "node:crypto";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TableName } from "../../lib/storage/storage-names.js";
import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID } from "../../lib/directory/demo-directory.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { RecordingTelemetry } from "../../lib/telemetry/telemetry.js";
import { TestAgent, type AgentTransport } from "../integration/onboarding/onboarding-driver.js";
import { asDevice, assertionFor, asUser, newDevice, operatorToken, stateReport, userToken, type HostDevice } from "../support/host-identities.js";
import { startTestHost } from "../support/test-host.js";

let host: RunningLocalHost;
/** A host with tiny budgets: 3 requests per device and per address and minute. */
let limited: RunningLocalHost;
const telemetry = new RecordingTelemetry();

beforeAll(async () => {
  [host, limited] = await Promise.all([
    startTestHost({ telemetry }),
    startTestHost({ env: { RJ_DEVICE_RATE_PER_MINUTE: "3", RJ_ANONYMOUS_RATE_PER_MINUTE: "3" } }),
  ]);
});
afterAll(async () => {
  await Promise.all([host?.stop(), limited?.stop()]);
});

async function problemOf(res: Response): Promise<{ type: string; status: number; detail: string }> {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  return (await res.json()) as { type: string; status: number; detail: string };
}

async function enrolled(h: RunningLocalHost = host, tenantId = CONTOSO_TENANT_ID): Promise<HostDevice> {
  const device = await newDevice(h, tenantId);
  const res = await asDevice(h, device, "/api/agent/v1/enroll", { method: "POST", token: await userToken(h, tenantId) });
  expect(res.status).toBe(201);
  return device;
}

async function tableRows(h: RunningLocalHost, table: TableName, partitionKey?: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  const client = await h.services.tables.table(table);
  const options = partitionKey === undefined ? {} : { queryOptions: { filter: `PartitionKey eq '${partitionKey}'` } };
  for await (const row of client.listEntities(options)) rows.push(row);
  return rows;
}

describe("user tokens on agent routes", () => {
  it("when a user token's scp lacks access_as_agent, then agent routes answer 403 insufficient-scope and admin routes still go by the app role", async () => {
    const device = await newDevice(host, CONTOSO_TENANT_ID);
    const other = await userToken(host, CONTOSO_TENANT_ID, { scp: "User.Read openid" });
    const refused = await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token: other });
    expect(refused.status).toBe(403);
    expect((await problemOf(refused)).type).toMatch(/insufficient-scope$/);
    expect(await host.services.devices.get(CONTOSO_TENANT_ID, device.deviceId)).toBeUndefined();
    expect((await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token: await userToken(host, CONTOSO_TENANT_ID) })).status).toBe(201);
    expect((await asDevice(host, device, "/api/agent/v1/config", { token: other })).status).toBe(403);

    const admin = await userToken(host, CONTOSO_TENANT_ID, { admin: true, scp: "Admin.Manage" });
    expect((await asUser(host, admin, "/api/admin/v1/devices")).status).toBe(200);
  });

  it("when a user token is issued more than 5 minutes in the future, then 401 on every route group", async () => {
    const idp = host.services.dev?.idp;
    if (idp === undefined) throw new Error("no dev identity provider");
    const future = await idp.mintAccessToken({
      tenantId: CONTOSO_TENANT_ID,
      oid: randomUUID(),
      roles: ["RealmJoin.Admin"],
      audience: host.services.audiences[0] ?? "",
      issuedAtMs: Date.now() + 10 * 60_000,
      nbfMs: Date.now() - 60_000,
    });
    const device = await enrolled();
    const agent = await asDevice(host, device, "/api/agent/v1/config", { token: future });
    expect(agent.status).toBe(401);
    expect((await problemOf(agent)).detail).toMatch(/future/);
    expect((await asUser(host, future, "/api/admin/v1/devices")).status).toBe(401);
  });
});

describe("device assertions bound to the request (htm, htu)", () => {
  it("when htm or htu name another request, then 401 problem+json and no replay row is written; the right binding passes", async () => {
    const device = await enrolled();
    const config = `${host.url}/api/agent/v1/config`;
    const before = (await tableRows(host, "ReplayCache", CONTOSO_TENANT_ID)).length;
    for (const request of [
      { method: "POST", url: config },
      { method: "GET", url: `${host.url}/api/agent/v1/packages` },
      { method: "GET", url: `https://evil.example/api/agent/v1/config` },
    ]) {
      const res = await fetch(config, { headers: { "x-rj-device-assertion": await assertionFor(host, device, { request }) } });
      expect(res.status, `${request.method} ${request.url}`).toBe(401);
      expect((await problemOf(res)).type).toMatch(/assertion-request-mismatch$/);
    }
    expect((await tableRows(host, "ReplayCache", CONTOSO_TENANT_ID)).length).toBe(before);
    const bound = await assertionFor(host, device, { request: { method: "GET", url: `${config}?ignored=query` } });
    expect((await fetch(`${config}?other=query`, { headers: { "x-rj-device-assertion": bound } })).status).toBe(200);
  });
});

describe("pinned trust", () => {
  let tenantId: string;
  let admin: string;

  beforeAll(async () => {
    tenantId = randomUUID();
    const res = await asUser(host, await operatorToken(host), `/api/operator/v1/realms/${tenantId}`, { method: "PUT", body: { name: "Pinned Ltd", deviceTrust: "pinned", noGraph: true } });
    expect(res.status).toBe(201);
    admin = await userToken(host, tenantId, { admin: true });
  });

  const enroll = async (device: HostDevice) => asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token: await userToken(host, tenantId) });

  it("when a user enrols a device id the realm does not know (pre-enrolling a colleague's future device), then 401 and nothing is pinned", async () => {
    const device = await newDevice(host, tenantId);
    const res = await enroll(device);
    expect(res.status).toBe(401);
    expect((await problemOf(res)).type).toMatch(/device-not-registered$/);
    expect(await host.services.devicePins.getPin(tenantId, device.deviceId)).toBeUndefined();
    expect(await host.services.devices.get(tenantId, device.deviceId)).toBeUndefined();
  });

  it("when the realm's directory knows the device, then its first certificate is pinned", async () => {
    const device = await newDevice(host, tenantId);
    await host.services.localDirectory.setDeviceAlternativeSecurityIds(tenantId, device.deviceId, []);
    expect((await enroll(device)).status).toBe(201);
    expect(await host.services.devicePins.getPin(tenantId, device.deviceId)).toBeDefined();
  });

  it("when an admin pre-registers a device, then it enrolls; after the admin clears its pin, the re-imaged device enrolls and the old certificate is refused", async () => {
    const device = await newDevice(host, tenantId);
    expect((await asUser(host, admin, `/api/admin/v1/devices/${device.deviceId}/registration`, { method: "PUT" })).status).toBe(201);
    expect((await asUser(host, admin, `/api/admin/v1/devices/${device.deviceId}/registration`, { method: "PUT" })).status).toBe(204);
    expect((await enroll(device)).status).toBe(201);

    const reimaged = await newDevice(host, tenantId, device.deviceId);
    expect((await enroll(reimaged)).status).toBe(401);
    expect((await asUser(host, await userToken(host, tenantId), `/api/admin/v1/devices/${device.deviceId}/pin`, { method: "DELETE" })).status).toBe(403);
    expect((await asUser(host, await userToken(host, CONTOSO_TENANT_ID, { admin: true }), `/api/admin/v1/devices/${device.deviceId}/pin`, { method: "DELETE" })).status).toBe(404);
    expect((await asUser(host, admin, `/api/admin/v1/devices/${device.deviceId}/pin`, { method: "DELETE" })).status).toBe(204);
    const again = await asUser(host, admin, `/api/admin/v1/devices/${device.deviceId}/pin`, { method: "DELETE" });
    expect(again.status).toBe(404);
    expect((await problemOf(again)).type).toMatch(/no-pin$/);
    expect((await enroll(reimaged)).status).toBe(200);
    expect((await asDevice(host, device, "/api/agent/v1/config")).status).toBe(401);
    expect((await asDevice(host, reimaged, "/api/agent/v1/config")).status).toBe(200);
  });

  it("when the device id in the admin route is not a GUID, then 400 problem+json", async () => {
    const res = await asUser(host, admin, `/api/admin/v1/devices/not-a-guid/pin`, { method: "DELETE" });
    expect(res.status).toBe(400);
    await problemOf(res);
  });

  it("when the OpenAPI document is read, then both admin routes are there with a uuid path parameter", async () => {
    const doc = (await (await fetch(`${host.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { parameters?: { schema: { format?: string } }[] }>> };
    expect(doc.paths["/api/admin/v1/devices/{id}/pin"]?.["delete"]?.parameters?.[0]?.schema.format).toBe("uuid");
    expect(doc.paths["/api/admin/v1/devices/{id}/registration"]?.["put"]).toBeDefined();
  });
});

describe("limits", () => {
  it("when a device is throttled, then its refused requests write no replay-cache row and answer 429 problem+json with Retry-After", async () => {
    const device = await enrolled(limited);
    const before = (await tableRows(limited, "ReplayCache", CONTOSO_TENANT_ID)).length;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await asDevice(limited, device, "/api/agent/v1/onboarding");
      statuses.push(res.status);
      if (res.status === 429) {
        expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
        expect((await problemOf(res)).type).toMatch(/device-rate-limited$/);
      } else await res.arrayBuffer();
    }
    const served = statuses.filter((s) => s !== 429).length;
    expect(served).toBe(2);
    expect((await tableRows(limited, "ReplayCache", CONTOSO_TENANT_ID)).length).toBe(before + served);
  });

  it("when one address calls the anonymous routes too often, then 429 problem+json with Retry-After, and a forged X-Forwarded-For does not escape it", async () => {
    const statuses: number[] = [];
    for (const path of ["/api/health", "/api/openapi.json", "/api/agent/v1/endpoints"]) statuses.push((await fetch(`${limited.url}${path}`)).status);
    expect(statuses).toEqual([200, 200, 200]);
    const res = await fetch(`${limited.url}/api/agent/v1/keys?realm=${CONTOSO_TENANT_ID}`);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await problemOf(res)).type).toMatch(/address-rate-limited$/);
    expect((await fetch(`${limited.url}/api/health`, { headers: { "x-forwarded-for": "198.51.100.7" } })).status).toBe(429);
    // Device routes have their own budget per device, not per address.
    const device = await enrolled(limited);
    expect((await asDevice(limited, device, "/api/agent/v1/onboarding")).status).toBe(200);
  });
});

function transportFor(device: HostDevice, token: string): AgentTransport {
  return {
    deviceId: device.deviceId,
    tenantId: device.tenantId,
    asDevice: (path, init = {}) =>
      asDevice(host, device, path, { ...(init.method ? { method: init.method } : {}), ...(init.body !== undefined ? { body: init.body } : {}), ...(init.user === true ? { token } : {}) }),
    anonymous: (path, init) => fetch(`${host.url}${path}`, { method: init.method, headers: { "content-type": "application/json" }, body: JSON.stringify(init.body) }),
  };
}

async function agentAtBitlocker(tenantId: string): Promise<{ device: HostDevice; agent: TestAgent; runId: string }> {
  const device = await newDevice(host, tenantId);
  if (tenantId === FABRIKAM_TENANT_ID) {
    const put = await asUser(host, await userToken(host, tenantId, { admin: true }), `/api/admin/v1/policies/device:${device.deviceId}`, { method: "PUT", body: { bitlockerEnabled: true } });
    expect(put.status).toBe(200);
  }
  const token = await userToken(host, tenantId);
  expect((await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token })).status).toBe(201);
  const agent = new TestAgent(transportFor(device, token));
  await agent.report();
  const view = await agent.runUntil("bitlocker");
  return { device, agent, runId: view.runId };
}

const RECOVERY_KEY = "123456-234567-345678-456789-567890-678901-789012-890123";

describe("BitLocker escrow follows the realm's directory mode", () => {
  it("when a Graph realm's admin sets noGraph in a policy, then 400; the configuration keeps noGraph false and a recovery key sent anyway is refused and stored nowhere", async () => {
    const admin = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
    for (const scope of ["realm", `device:${randomUUID()}`]) {
      const put = await asUser(host, admin, `/api/admin/v1/policies/${scope}`, { method: "PUT", body: { noGraph: true } });
      expect(put.status).toBe(400);
      expect((await problemOf(put)).detail).toMatch(/noGraph/);
    }
    const { device, agent, runId } = await agentAtBitlocker(CONTOSO_TENANT_ID);
    const jws = await (await asDevice(host, device, "/api/agent/v1/config")).text();
    expect(decodeJwt(jws)["noGraph"]).toBe(false);

    const res = await agent.post(runId, "bitlocker", { outcome: "succeeded", data: { keyId: randomUUID(), joinedToEntra: false, recoveryKey: RECOVERY_KEY } }, false);
    expect(res.status).toBe(400);
    expect((await problemOf(res)).type).toMatch(/escrow-to-entra$/);
    for (const name of ["RecoveryKeys", "OnboardingResults", "OnboardingHistory"] as const) {
      for (const row of await tableRows(host, name)) expect(JSON.stringify(row)).not.toContain(RECOVERY_KEY);
    }
    const keys = await asUser(host, admin, `/api/admin/v1/devices/${device.deviceId}/recovery-keys`);
    expect(keys.status).toBe(200);
    expect(((await keys.json()) as { keys: unknown[] }).keys).toEqual([]);
  });

  it("when a NoGraph realm's device reports Entra escrow without the key, then 400 escrow-to-backend (the back-end could never verify it)", async () => {
    const { agent, runId } = await agentAtBitlocker(FABRIKAM_TENANT_ID);
    const res = await agent.post(runId, "bitlocker", { outcome: "succeeded", data: { keyId: randomUUID(), joinedToEntra: true } }, false);
    expect(res.status).toBe(400);
    expect((await problemOf(res)).type).toMatch(/escrow-to-backend$/);
  });
});

describe("agents that evolve", () => {
  it("when a state report and a step result carry fields this back-end does not know, then they are accepted, stored nowhere and counted in telemetry", async () => {
    const device = await enrolled();
    const report = stateReport(1, {
      futureTopLevel: "x",
      tpm: { present: true, ready: true, futureNested: 2 },
      installed: [{ id: "7zip", version: "23.1.0", status: "installed", futureInItem: true }],
    });
    const res = await asDevice(host, device, "/api/agent/v1/state", { method: "POST", body: report });
    expect(res.status).toBe(202);
    const stored = await host.services.devices.latestReport(CONTOSO_TENANT_ID, device.deviceId);
    expect(stored?.installed).toEqual([{ id: "7zip", version: "23.1.0", status: "installed" }]);
    for (const name of ["Devices", "DeviceReports"] as const) {
      for (const row of await tableRows(host, name)) expect(JSON.stringify(row)).not.toMatch(/futureTopLevel|futureNested|futureInItem/);
    }
    const event = telemetry.events.find((e) => e.name === "UnknownFieldsIgnored" && e.dimensions["route"] === "agentState");
    expect(event?.dimensions["fields"]).toContain("futureTopLevel=");

    const agent = new TestAgent(transportFor(device, await userToken(host, CONTOSO_TENANT_ID)));
    const view = await agent.runUntil("check-updates");
    const step = await agent.post(view.runId, "check-updates", { outcome: "succeeded", futureOutcomeHint: "x", data: { futureData: 1 } } as never, false);
    expect(step.status).toBe(202);
    for (const name of ["OnboardingResults", "OnboardingHistory"] as const) {
      for (const row of await tableRows(host, name)) expect(JSON.stringify(row)).not.toMatch(/futureOutcomeHint|futureData/);
    }
    const stepEvents = telemetry.events.filter((e) => e.name === "UnknownFieldsIgnored" && e.dimensions["route"] === "agentOnboardingStepResult");
    expect(stepEvents.map((e) => e.dimensions["fields"]).join(",")).toMatch(/futureOutcomeHint|data\.futureData/);
    // Admin bodies stay strict.
    const admin = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
    expect((await asUser(host, admin, `/api/admin/v1/policies/device:${device.deviceId}`, { method: "PUT", body: { makeAdmin: true, futureAdminField: 1 } })).status).toBe(400);
  });
});
