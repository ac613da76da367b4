import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CONTOSO_TENANT_ID } from "../../lib/directory/demo-directory.js";
import { startAzurite, type RunningAzurite } from "../../lib/localhost/azurite-process.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { asDevice, asUser, newDevice, stateReport, userToken, type HostDevice } from "../support/host-identities.js";
import { startReliabilityHost } from "./support/reliability-host.js";

/** No request may take longer than this during the outage: a hang fails the test instead of stalling it. */
const REQUEST_BOUND_MS = 20_000;

let azurite: RunningAzurite | undefined;
let host: RunningLocalHost | undefined;

afterAll(async () => {
  await host?.stop();
  await azurite?.stop();
});

interface Outcome {
  status: number;
  type: string | null;
  retryAfter: string | null;
  body: Record<string, unknown>;
}

async function outcome(pending: Promise<Response>): Promise<Outcome> {
  const res = await pending;
  const type = res.headers.get("content-type");
  const text = await res.text();
  const body = type !== null && /json/.test(type) && text !== "" ? (JSON.parse(text) as Record<string, unknown>) : {};
  return { status: res.status, type, retryAfter: res.headers.get("retry-after"), body };
}

function bounded(h: RunningLocalHost, device: HostDevice, path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<Response> {
  return Promise.race([
    asDevice(h, device, path, init),
    new Promise<Response>((_, reject) => setTimeout(() => reject(new Error(`${path} hung for ${REQUEST_BOUND_MS} ms during the outage`)), REQUEST_BOUND_MS)),
  ]);
}

function expectUnavailable(o: Outcome): void {
  expect(o.status).toBe(503);
  expect(o.type).toBe("application/problem+json");
  expect(Number(o.retryAfter)).toBeGreaterThan(0);
  expect(o.body["requestId"]).toEqual(expect.any(String));
}

describe("agent traffic during a storage outage", () => {
  it("when Azurite stops, then agent requests answer 503 with Retry-After, and a report retried after it is back is stored", async () => {
    const location = mkdtempSync(join(tmpdir(), "rj-rel-outage-"));
    azurite = await startAzurite({ location });
    host = await startReliabilityHost({ storage: azurite.connectionString });
    const h = host;
    const device = await newDevice(h, CONTOSO_TENANT_ID);
    const user = await userToken(h, CONTOSO_TENANT_ID);
    const newcomer = await newDevice(h, CONTOSO_TENANT_ID);
    expect((await outcome(asDevice(h, device, "/api/agent/v1/enroll", { method: "POST", token: user }))).status).toBe(201);
    expect((await outcome(asDevice(h, device, "/api/agent/v1/state", { method: "POST", body: stateReport(1) }))).status).toBe(202);

    const ports = azurite.ports;
    await azurite.stop();
    const duringOutage = stateReport(2, { agentVersion: "4.2.2" });
    expectUnavailable(await outcome(bounded(h, device, "/api/agent/v1/state", { method: "POST", body: duringOutage })));
    expectUnavailable(await outcome(bounded(h, device, "/api/agent/v1/config")));
    expectUnavailable(await outcome(bounded(h, device, "/api/agent/v1/packages")));
    expectUnavailable(await outcome(bounded(h, newcomer, "/api/agent/v1/enroll", { method: "POST", token: user })));

    azurite = await startAzurite({ location, ports });
    // The agent retries as it would: bounded attempts until storage answers again.
    let retried: Outcome | undefined;
    for (let attempt = 0; attempt < 50 && retried?.status !== 202; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 200));
      retried = await outcome(bounded(h, device, "/api/agent/v1/state", { method: "POST", body: duringOutage }));
      if (retried.status !== 202) expectUnavailable(retried);
    }
    expect(retried).toMatchObject({ status: 202, body: { accepted: true } });
    expect((await outcome(asDevice(h, device, "/api/agent/v1/config"))).status).toBe(200);
    expect((await outcome(asDevice(h, newcomer, "/api/agent/v1/enroll", { method: "POST", token: user }))).status).toBe(201);

    const admin = await userToken(h, CONTOSO_TENANT_ID, { admin: true });
    const view = await outcome(asUser(h, admin, `/api/admin/v1/devices/${device.deviceId}`));
    expect(view.body).toMatchObject({ lastSequence: 2, state: { sequence: 2, agentVersion: "4.2.2" } });
    expect((view.body["reports"] as { sequence: number }[]).map((r) => r.sequence).sort()).toEqual([1, 2]);
  }, 120_000);
});
