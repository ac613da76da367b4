import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO_TENANT_ID } from "../../lib/directory/demo-directory.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { RecordingTelemetry } from "../../lib/telemetry/telemetry.js";
import { TestAgent, type AgentScript, type AgentTransport } from "../integration/onboarding/onboarding-driver.js";
import { asDevice, asUser, newDevice, userToken } from "../support/host-identities.js";
import { buildNupkg } from "../support/nupkg-builder.js";
import { startTestHost } from "../support/test-host.js";
import { kqlReferences } from "../unit/infra/kql-references.js";

/*
 * The admins' workbook against what the code really emits: the scenarios its panels describe run on a local host
 * with a RecordingTelemetry (an initial run that succeeds with its escrow verified, one that fails at an enforced
 * check, one whose recovery key never reaches the directory, a state report with a failed install, a reconciliation pass); then every event, dimension and compared
 * value each query names must be among what was recorded. A query naming a field nobody emits fails here.
 */

const telemetry = new RecordingTelemetry();
let host: RunningLocalHost;

const queriesDir = new URL("../../infra/workbook/queries/", import.meta.url);
const queries = readdirSync(queriesDir)
  .filter((f) => f.endsWith(".kql"))
  .sort()
  .map((f) => ({ name: f.slice(0, -".kql".length), text: readFileSync(new URL(f, queriesDir), "utf8") }));

/** `| where tostring(customDimensions.X) == "V"` filters of a query: the values it needs to see anything. */
function comparedValues(query: string): { dimension: string; value: string }[] {
  const filters = query
    .split("\n")
    .filter((line) => /^\s*\|\s*where\b/.test(line))
    .join("\n");
  return [...filters.matchAll(/tostring\(\s*customDimensions\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*==\s*(["'])([^"']*)\2/g)].map((m) => ({ dimension: m[1] ?? "", value: m[3] ?? "" }));
}

async function enrolledAgent(script: AgentScript = {}): Promise<TestAgent & { deviceId: string }> {
  const device = await newDevice(host, CONTOSO_TENANT_ID);
  const token = await userToken(host, CONTOSO_TENANT_ID);
  const res = await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token });
  expect(res.status).toBe(201);
  const transport: AgentTransport = {
    deviceId: device.deviceId,
    tenantId: device.tenantId,
    asDevice: (path, init = {}) =>
      asDevice(host, device, path, { ...(init.method ? { method: init.method } : {}), ...(init.body !== undefined ? { body: init.body } : {}), ...(init.user === true ? { token } : {}) }),
    anonymous: (path, init) => fetch(`${host.url}${path}`, { method: init.method, headers: { "content-type": "application/json" }, body: JSON.stringify(init.body) }),
  };
  return Object.assign(new TestAgent(transport, script), { deviceId: device.deviceId });
}

beforeAll(async () => {
  // A reconcile schedule that never fires (the test triggers its pass); a quick escrow check.
  host = await startTestHost({ telemetry, env: { RJ_RECONCILE_SCHEDULE: "0 0 0 30 2 *", RJ_STEP_TIMEOUT_SECONDS: "600", RJ_ESCROW_FIRST_RETRY_SECONDS: "6", RJ_ESCROW_ATTEMPTS: "3" } });

  const healthy = await enrolledAgent();
  await healthy.report({ installed: [{ id: "Contoso.Tool", version: "1.0.0", status: "failed" }] });
  expect((await healthy.run()).status).toBe("succeeded");

  const failing = await enrolledAgent({ failChecks: ["firewall"] });
  await failing.report();
  expect((await failing.run()).status).toBe("failed");

  // Escrow never verified: only this outcome carries `attempts` (a verified check's retries are the orchestration's).
  const unescrowed = await enrolledAgent({ noEscrow: true });
  await unescrowed.report();
  expect((await unescrowed.run()).failure?.reason).toBe("bitlocker-escrow");

  const admin = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
  expect((await asUser(host, admin, "/api/admin/v1/reconcile", { method: "POST" })).status).toBe(200);

  // A required package whose dependency was never published, forced onto one device: its run fails required-undeliverable.
  const published = await fetch(`${host.url}/api/admin/v1/packages?force=true`, {
    method: "PUT",
    headers: { authorization: `Bearer ${admin}` },
    body: buildNupkg({ id: "Contoso.Orphan", version: "1.0.0", dependencies: [{ id: "Contoso.Missing", version: "1.0.0" }] }),
  });
  expect(published.status).toBe(201);
  const stranded = await enrolledAgent();
  const assigned = await asUser(host, admin, "/api/admin/v1/assignments/orphan-required?force=true", {
    method: "PUT",
    body: { packageId: "Contoso.Orphan", target: { type: "device", id: stranded.deviceId }, intent: "required" },
  });
  expect(assigned.status).toBe(201);
  await stranded.report();
  expect((await stranded.run()).failure?.reason).toBe("required-undeliverable");
}, 120_000);
afterAll(async () => {
  await host.stop();
});

describe("the workbook's queries against the telemetry the code emits", () => {
  it("when the scenarios ran, then the recording holds every event the workbook could name (so the checks below are not vacuous)", () => {
    const names = new Set(telemetry.events.map((e) => e.name));
    for (const name of ["DeviceEnrolled", "StateReported", "PackageInstallReported", "OnboardingTransition", "EscrowOutcome", "ReconcilePass"]) expect(names).toContain(name);
    expect(queries.length).toBeGreaterThanOrEqual(6);
  });

  it.each(queries.map((q) => [q.name, q] as const))("when %s runs, then every event and dimension it reads was emitted by a scenario, and every value it filters on occurred", (_name, query) => {
    const { events, dimensions } = kqlReferences(query.text);
    expect(events.length).toBeGreaterThan(0);
    const recorded = telemetry.events.filter((e) => events.includes(e.name));
    expect(events.filter((name) => !recorded.some((e) => e.name === name)), "events the query names but nothing emitted").toEqual([]);
    const emittedDimensions = new Set(recorded.flatMap((e) => Object.keys(e.dimensions)));
    expect(dimensions.filter((d) => !emittedDimensions.has(d)), "dimensions the query reads but no emitted event carries").toEqual([]);
    for (const { dimension, value } of comparedValues(query.text)) {
      expect(
        recorded.some((e) => e.dimensions[dimension] === value),
        `${dimension} == "${value}" never occurred in ${events.join(", ")}`,
      ).toBe(true);
    }
  });
});
