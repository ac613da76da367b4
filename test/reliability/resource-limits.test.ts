import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDeviceAssertion } from "../../lib/auth/device-assertion-client.js";
import { CONTOSO_TENANT_ID } from "../../lib/directory/demo-directory.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { asDevice, assertionFor, newDevice, operatorToken, userToken, type HostDevice } from "../support/host-identities.js";
import { rawRequest, type RawResponse } from "./support/raw-http.js";
import { startReliabilityHost } from "./support/reliability-host.js";

const RATE = 5;

let host: RunningLocalHost;
let admin: string;
let operator: string;

beforeAll(async () => {
  host = await startReliabilityHost({ env: { RJ_DEVICE_RATE_PER_MINUTE: String(RATE) } });
  admin = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
  operator = await operatorToken(host);
});
afterAll(async () => {
  await host.stop();
});

/** A device of Contoso that has enrolled (which spends one request of its budget). */
async function enrolled(): Promise<HostDevice> {
  const device = await newDevice(host, CONTOSO_TENANT_ID);
  const res = await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token: await userToken(host, CONTOSO_TENANT_ID) });
  expect(res.status).toBe(201);
  return device;
}

function expectProblem(res: RawResponse, status: number): Record<string, unknown> {
  expect(res.status).toBe(status);
  expect(res.headers["content-type"]).toBe("application/problem+json");
  const problem = JSON.parse(res.body.toString("utf8")) as Record<string, unknown>;
  expect(problem).toMatchObject({ status, requestId: res.headers["x-request-id"] });
  return problem;
}

async function realmPolicy(): Promise<{ status: number; body: string }> {
  const res = await fetch(`${host.url}/api/admin/v1/policies/realm`, { headers: { authorization: `Bearer ${admin}` } });
  return { status: res.status, body: await res.text() };
}

describe("oversized bodies", () => {
  const oversized = new Uint8Array(1024 * 1024 + 100).fill(0x20);

  it("when JSON routes get a body above 1 MiB, declared or streamed chunked, then 413 problem+json and nothing is stored", async () => {
    const before = await realmPolicy();
    const device = await enrolled();
    const routes: { method: string; path: string; headers: () => Promise<Record<string, string>> }[] = [
      { method: "PUT", path: "/api/admin/v1/policies/realm", headers: async () => ({ authorization: `Bearer ${admin}` }) },
      { method: "PUT", path: `/api/operator/v1/realms/${randomUUID()}`, headers: async () => ({ authorization: `Bearer ${operator}` }) },
      { method: "POST", path: "/api/admin/v1/packages/legacy", headers: async () => ({ authorization: `Bearer ${admin}` }) },
      { method: "POST", path: "/api/agent/v1/state", headers: async () => ({ "x-rj-device-assertion": await assertionFor(host, device) }) },
    ];
    for (const route of routes) {
      for (const chunked of [false, true]) {
        const headers = { ...(await route.headers()), "content-type": "application/json" };
        expectProblem(await rawRequest(host.port, { method: route.method, path: route.path, headers, body: oversized, chunked }), 413);
      }
    }
    expect(await realmPolicy()).toEqual(before);
    const stored = await fetch(`${host.url}/api/admin/v1/devices/${device.deviceId}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(await stored.json()).toMatchObject({ lastSequence: -1, reports: [] });
  });
});

describe("the per-device rate limit", () => {
  it("when a device exceeds RJ_DEVICE_RATE_PER_MINUTE, then it gets 429 problem+json with Retry-After while another device is still served", async () => {
    const noisy = await enrolled();
    const quiet = await enrolled();
    for (let i = 1; i < RATE; i++) {
      const res = await asDevice(host, noisy, "/api/agent/v1/config");
      await res.arrayBuffer();
      expect(res.status).toBe(200);
    }
    const refused = await rawRequest(host.port, { method: "GET", path: "/api/agent/v1/config", headers: { "x-rj-device-assertion": await assertionFor(host, noisy) } });
    const problem = expectProblem(refused, 429);
    expect(problem["type"]).toMatch(/device-rate-limited$/);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);

    const other = await asDevice(host, quiet, "/api/agent/v1/config");
    await other.arrayBuffer();
    expect(other.status).toBe(200);
  });

  it("when requests forge a device's identity, then they are refused before the limit and never spend that device's budget", async () => {
    const victim = await newDevice(host, CONTOSO_TENANT_ID);
    const attacker = await newDevice(host, CONTOSO_TENANT_ID);
    for (let i = 0; i < RATE * 3; i++) {
      // The attacker's own certificate, claiming to be the victim.
      const forged = await createDeviceAssertion({ keyPem: attacker.keyPem, certPem: attacker.certPem, tenantId: CONTOSO_TENANT_ID, deviceId: victim.deviceId, audience: host.services.audiences[0] ?? "", alg: "ES256" });
      const res = await rawRequest(host.port, { method: "GET", path: "/api/agent/v1/config", headers: { "x-rj-device-assertion": forged } });
      expectProblem(res, 401);
    }
    const enroll = await asDevice(host, victim, "/api/agent/v1/enroll", { method: "POST", token: await userToken(host, CONTOSO_TENANT_ID) });
    expect(enroll.status).toBe(201);
    for (let i = 1; i < RATE; i++) {
      const res = await asDevice(host, victim, "/api/agent/v1/config");
      await res.arrayBuffer();
      expect(res.status).toBe(200);
    }
  });

  it("when a user or admin calls without a device, then the device limit does not apply", async () => {
    for (let i = 0; i < RATE * 2; i++) {
      const res = await fetch(`${host.url}/api/admin/v1/devices`, { headers: { authorization: `Bearer ${admin}` } });
      await res.arrayBuffer();
      expect(res.status).toBe(200);
    }
  });
});
