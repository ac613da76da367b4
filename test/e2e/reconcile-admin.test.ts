import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID } from "../../lib/directory/demo-directory.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { TableLease } from "../../lib/reconcile/lease.js";
import { RECONCILE_TABLE } from "../../lib/reconcile/pass.js";
import { asDevice, asUser, newDevice, stateReport, userToken, type HostDevice } from "../support/host-identities.js";
import { startTestHost } from "../support/test-host.js";

let host: RunningLocalHost;
const DAY_MS = 86_400_000;

beforeAll(async () => {
  host = await startTestHost({ env: { RJ_RECONCILE_SCHEDULE: "0 0 0 30 2 *", RJ_STALE_DEVICE_DAYS: "30" } });
});
afterAll(async () => {
  await host.stop();
});

async function enrolledDevice(tenantId: string): Promise<HostDevice> {
  const device = await newDevice(host, tenantId);
  const res = await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token: await userToken(host, tenantId) });
  expect(res.status).toBe(201);
  // Last seen 40 days ago, as if the device went silent.
  await host.services.devices.update(tenantId, device.deviceId, (d) => (d === undefined ? undefined : { ...d, lastSeenAt: new Date(Date.now() - 40 * DAY_MS).toISOString() }));
  const report = await asDevice(host, device, "/api/agent/v1/state", { method: "POST", body: stateReport(1) });
  expect(report.status).toBe(202);
  await host.services.devices.update(tenantId, device.deviceId, (d) => (d === undefined ? undefined : { ...d, lastSeenAt: new Date(Date.now() - 40 * DAY_MS).toISOString() }));
  return device;
}

describe("POST /api/admin/v1/reconcile", () => {
  it("when an admin runs a pass, then only the admin's realm is reconciled and the answer holds its counts; a later state report clears stale", async () => {
    const contosoDevice = await enrolledDevice(CONTOSO_TENANT_ID);
    const fabrikamDevice = await enrolledDevice(FABRIKAM_TENANT_ID);
    const admin = await userToken(host, CONTOSO_TENANT_ID, { admin: true });

    const res = await asUser(host, admin, "/api/admin/v1/reconcile", { method: "POST" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { realmId: string; counts: Record<string, number>; tasks: Record<string, unknown> };
    expect(body.realmId).toBe(CONTOSO_TENANT_ID);
    expect(body.counts["staleDevices"]).toBeGreaterThanOrEqual(1);
    expect(Object.keys(body.tasks)).not.toContain("history-purge");

    expect((await host.services.devices.get(CONTOSO_TENANT_ID, contosoDevice.deviceId))?.stale).toBe(true);
    expect((await host.services.devices.get(FABRIKAM_TENANT_ID, fabrikamDevice.deviceId))?.stale).toBe(false);

    const again = await asUser(host, admin, "/api/admin/v1/reconcile", { method: "POST" });
    expect(((await again.json()) as { counts: Record<string, number> }).counts["staleDevices"]).toBe(0);

    const back = await asDevice(host, contosoDevice, "/api/agent/v1/state", { method: "POST", body: stateReport(2) });
    expect(back.status).toBe(202);
    expect((await host.services.devices.get(CONTOSO_TENANT_ID, contosoDevice.deviceId))?.stale).toBe(false);
  });

  it("when a user without the admin role calls it, then 403", async () => {
    const res = await asUser(host, await userToken(host, CONTOSO_TENANT_ID), "/api/admin/v1/reconcile", { method: "POST" });
    expect(res.status).toBe(403);
  });

  it("when a pass already holds the lease, then 409 problem+json reconcile-running", async () => {
    const lease = await TableLease.acquire(await host.services.tables.table(RECONCILE_TABLE), "pass", 60_000, host.services.clock);
    try {
      const res = await asUser(host, await userToken(host, CONTOSO_TENANT_ID, { admin: true }), "/api/admin/v1/reconcile", { method: "POST" });
      expect(res.status).toBe(409);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(((await res.json()) as { type: string }).type).toMatch(/\/reconcile-running$/);
    } finally {
      await lease?.release();
    }
  });
});
