import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO_TENANT_ID } from "../../lib/directory/demo-directory.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { RecordingTelemetry } from "../../lib/telemetry/telemetry.js";
import { asDevice, assertionFor, asUser, newDevice, stateReport, userToken } from "../support/host-identities.js";
import { startTestHost } from "../support/test-host.js";

const telemetry = new RecordingTelemetry();
let host: RunningLocalHost;

beforeAll(async () => {
  // A schedule that never fires: the timer must not take the lease while the test triggers passes.
  host = await startTestHost({ telemetry, env: { RJ_RECONCILE_SCHEDULE: "0 0 0 30 2 *" } });
});
afterAll(async () => {
  await host.stop();
});

describe("custom events from real flows", () => {
  it("when a device enrolls and reports state, then DeviceEnrolled and StateReported carry realm and device, and no dimension holds a secret", async () => {
    const device = await newDevice(host, CONTOSO_TENANT_ID);
    const token = await userToken(host, CONTOSO_TENANT_ID);
    const secrets: string[] = [token];

    const enrollAssertion = await assertionFor(host, device);
    secrets.push(enrollAssertion);
    const enrolled = await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token, headers: { "x-rj-device-assertion": enrollAssertion } });
    expect(enrolled.status).toBe(201);

    const reportAssertion = await assertionFor(host, device);
    secrets.push(reportAssertion);
    const reported = await asDevice(host, device, "/api/agent/v1/state", { method: "POST", body: stateReport(1), headers: { "x-rj-device-assertion": reportAssertion } });
    expect(reported.status).toBe(202);

    const mine = telemetry.events.filter((e) => e.dimensions["deviceId"] === device.deviceId);
    expect(mine.find((e) => e.name === "DeviceEnrolled")?.dimensions).toMatchObject({ realmId: CONTOSO_TENANT_ID, deviceId: device.deviceId, primaryUserSet: "true" });
    expect(mine.find((e) => e.name === "StateReported")?.dimensions).toMatchObject({ realmId: CONTOSO_TENANT_ID, deviceId: device.deviceId, sequence: "1", accepted: "true" });

    // Whole secrets and their signature parts (the part a leak would most likely carry).
    const needles = secrets.flatMap((s) => [s, s.split(".")[2] ?? s]);
    for (const event of telemetry.events) {
      for (const value of Object.values(event.dimensions)) {
        for (const needle of needles) expect(value.includes(needle)).toBe(false);
        expect(value).not.toMatch(/[?&]sig=/i);
        expect(value).not.toMatch(/PRIVATE KEY/);
        expect(value).not.toMatch(/\b\d{6}(-\d{6}){7}\b/);
      }
    }
  });

  it("when an admin runs a reconciliation pass, then one ReconcilePass event carries the realm and the counts it answered", async () => {
    const admin = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
    const res = await asUser(host, admin, "/api/admin/v1/reconcile", { method: "POST" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { realmId: string; counts: Record<string, number> };
    expect(body.realmId).toBe(CONTOSO_TENANT_ID);
    const passes = telemetry.events.filter((e) => e.name === "ReconcilePass" && e.dimensions["realmId"] === CONTOSO_TENANT_ID);
    expect(passes).toHaveLength(1);
    expect(passes[0]?.dimensions).toMatchObject({ staleDevices: String(body.counts["staleDevices"] ?? 0), budgetExhausted: "false" });
  });
});
