import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO_TENANT_ID, DEMO_IDS } from "../../lib/directory/demo-directory.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { RecordingTelemetry } from "../../lib/telemetry/telemetry.js";
import { TestAgent, type RunView } from "../integration/onboarding/onboarding-driver.js";
import { asDevice, asUser, newDevice, userToken } from "../support/host-identities.js";
import { buildNupkg, type NupkgSpec } from "../support/nupkg-builder.js";
import { startTestHost } from "../support/test-host.js";

let host: RunningLocalHost;
let admin: string;
const telemetry = new RecordingTelemetry();
const ALL_STAFF = DEMO_IDS.contoso.allStaff;

interface Impact {
  devices: number;
  users: number;
  affected: { packageId: string; reason: string; detail: string; devices: number; users: number }[];
}

beforeAll(async () => {
  host = await startTestHost({ telemetry, env: { RJ_STEP_TIMEOUT_SECONDS: "300" } });
  admin = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
  // Two devices whose primary user (Adele) is in All Staff.
  await enrollDevice();
  await enrollDevice();
}, 120_000);
afterAll(async () => {
  await host.stop();
});

async function enrollDevice(): Promise<TestAgent> {
  const device = await newDevice(host, CONTOSO_TENANT_ID);
  const token = await userToken(host, CONTOSO_TENANT_ID);
  expect((await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token })).status).toBe(201);
  const agent = new TestAgent({
    deviceId: device.deviceId,
    tenantId: device.tenantId,
    asDevice: (path, init = {}) => asDevice(host, device, path, { ...(init.method ? { method: init.method } : {}), ...(init.body !== undefined ? { body: init.body } : {}), ...(init.user === true ? { token } : {}) }),
    anonymous: (path, init) => fetch(`${host.url}${path}`, { method: init.method, headers: { "content-type": "application/json" }, body: JSON.stringify(init.body) }),
  });
  await agent.report();
  return agent;
}

async function publish(spec: NupkgSpec, query = ""): Promise<Response> {
  return await fetch(`${host.url}/api/admin/v1/packages${query}`, { method: "PUT", headers: { authorization: `Bearer ${admin}` }, body: buildNupkg(spec) });
}

async function assign(id: string, body: Record<string, unknown>, query = ""): Promise<Response> {
  return await asUser(host, admin, `/api/admin/v1/assignments/${id}${query}`, { method: "PUT", body });
}

async function refusedImpact(res: Response): Promise<Impact> {
  expect(res.status).toBe(409);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const problem = (await res.json()) as Impact & { type: string };
  expect(problem.type).toMatch(/would-break-required$/);
  return problem;
}

async function versionsOf(id: string): Promise<string[]> {
  const res = await asUser(host, admin, `/api/admin/v1/packages/${id}`);
  return res.status === 404 ? [] : ((await res.json()) as { versions: { version: string }[] }).versions.map((v) => v.version);
}

async function undeliverableList(): Promise<{ packageId: string; reason: string; devices: number }[]> {
  const res = await asUser(host, admin, "/api/admin/v1/packages/undeliverable");
  expect(res.status).toBe(200);
  return ((await res.json()) as { packages: { packageId: string; reason: string; devices: number }[] }).packages;
}

/** A new device's initial run, to its end. */
async function initialRun(): Promise<RunView> {
  return await (await enrollDevice()).run(60_000);
}

describe("impact before change", () => {
  it("when a new version of a required package needs a dependency that does not exist, then publishing is refused 409 naming it, a dry run only reports, force publishes and initial runs fail with required-undeliverable", async () => {
    expect((await publish({ id: "App.Core", version: "1.0.0" })).status).toBe(201);
    expect((await assign("core-required", { packageId: "App.Core", target: { type: "group", id: ALL_STAFF }, intent: "required" })).status).toBe(201);

    const broken = { id: "App.Core", version: "2.0.0", dependencies: [{ id: "Dep.Ghost", version: "[1.0.0, )" }] };
    const impact = await refusedImpact(await publish(broken));
    expect(impact).toMatchObject({ devices: 2, users: 1, affected: [{ packageId: "App.Core", reason: "missing", devices: 2, users: 1 }] });
    expect(impact.affected[0]?.detail).toContain("Dep.Ghost");
    expect(await versionsOf("App.Core")).toEqual(["1.0.0"]);

    const dry = await publish(broken, "?dryRun=true");
    expect(dry.status).toBe(200);
    expect(await dry.json()).toMatchObject({ dryRun: true, impact: { wouldBreakRequired: true, devices: 2 } });
    expect(await versionsOf("App.Core")).toEqual(["1.0.0"]);

    expect((await publish(broken, "?force=true")).status).toBe(201);
    expect(await undeliverableList()).toEqual([expect.objectContaining({ packageId: "App.Core", reason: "missing", devices: 2 })]);
    const run = await initialRun();
    expect(run.status).toBe("failed");
    expect(run.failure).toMatchObject({ reason: "required-undeliverable", detail: expect.stringContaining("App.Core (missing)") });
    expect(telemetry.events.some((e) => e.name === "RequiredPackageUndeliverable" && e.dimensions["packageId"] === "App.Core")).toBe(true);

    // Pinning the assignment to 1.0.0 (a range change) repairs delivery: no impact, 200; then 2.0.0 can go.
    expect((await assign("core-required", { packageId: "App.Core", range: "[1.0.0]", target: { type: "group", id: ALL_STAFF }, intent: "required" })).status).toBe(200);
    expect((await asUser(host, admin, "/api/admin/v1/packages/App.Core/2.0.0", { method: "DELETE" })).status).toBe(204);
    expect(await undeliverableList()).toEqual([]);
    expect((await initialRun()).status).toBe("succeeded");
  }, 240_000);

  it("when a dependency version of a required package is deleted, then 409 (not 204) with the impact; force deletes it", async () => {
    expect((await publish({ id: "Lib.Base", version: "1.0.0" })).status).toBe(201);
    expect((await publish({ id: "App.Tool", version: "1.0.0", dependencies: [{ id: "Lib.Base", version: "[1.0.0]" }] })).status).toBe(201);
    expect((await assign("tool-required", { packageId: "App.Tool", target: { type: "all" }, intent: "required" })).status).toBe(201);
    const devices = (await undeliverableList()).length === 0 ? await deviceCount() : -1;

    const impact = await refusedImpact(await asUser(host, admin, "/api/admin/v1/packages/Lib.Base/1.0.0", { method: "DELETE" }));
    expect(impact.affected).toEqual([expect.objectContaining({ packageId: "App.Tool", devices })]);
    expect(await versionsOf("Lib.Base")).toEqual(["1.0.0"]);
    const dry = await asUser(host, admin, "/api/admin/v1/packages/Lib.Base/1.0.0?dryRun=true", { method: "DELETE" });
    expect(dry.status).toBe(200);
    expect(await versionsOf("Lib.Base")).toEqual(["1.0.0"]);

    expect((await asUser(host, admin, "/api/admin/v1/packages/Lib.Base/1.0.0?force=true", { method: "DELETE" })).status).toBe(204);
    expect((await undeliverableList()).map((p) => p.packageId)).toEqual(["App.Tool"]);
    // Removing the required assignment breaks nothing more.
    expect((await asUser(host, admin, "/api/admin/v1/assignments/tool-required", { method: "DELETE" })).status).toBe(204);
    expect(await undeliverableList()).toEqual([]);
  }, 120_000);

  it("when a new version of an optional package needs a range that conflicts with a required one, then 409 lists the required package only; force publishes and initial runs fail naming it", async () => {
    for (const version of ["1.0.0", "2.0.0"]) expect((await publish({ id: "Shared.Lib", version })).status).toBe(201);
    expect((await publish({ id: "Req.App", version: "1.0.0", dependencies: [{ id: "Shared.Lib", version: "[1.0.0, 2.0.0)" }] })).status).toBe(201);
    expect((await publish({ id: "Opt.App", version: "1.0.0" })).status).toBe(201);
    expect((await assign("req-app", { packageId: "Req.App", target: { type: "group", id: ALL_STAFF }, intent: "required" })).status).toBe(201);
    expect((await assign("opt-app", { packageId: "Opt.App", target: { type: "group", id: ALL_STAFF }, intent: "available" })).status).toBe(201);

    const conflicting = { id: "Opt.App", version: "2.0.0", dependencies: [{ id: "Shared.Lib", version: "[2.0.0, )" }] };
    const impact = await refusedImpact(await publish(conflicting));
    expect(impact.affected.map((a) => a.packageId)).toEqual(["Req.App"]);
    expect(impact.affected[0]).toMatchObject({ reason: "unsatisfiable", users: 1 });

    expect((await publish(conflicting, "?force=true")).status).toBe(201);
    expect((await undeliverableList()).map((p) => p.packageId)).toEqual(["Req.App"]);
    const run = await initialRun();
    expect(run.failure).toMatchObject({ reason: "required-undeliverable", detail: expect.stringContaining("Req.App") });
    // Narrowing the optional assignment to 1.x (a range change) repairs it.
    expect((await assign("opt-app", { packageId: "Opt.App", range: "[1.0.0, 2.0.0)", target: { type: "group", id: ALL_STAFF }, intent: "available" })).status).toBe(200);
    expect(await undeliverableList()).toEqual([]);
  }, 240_000);

  it("when an assignment change would break a required package, then 409 unless forced; assignments to unknown packages are 404", async () => {
    const missing = await assign("ghost", { packageId: "No.Such.Package", target: { type: "all" }, intent: "required" });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { type: string }).type).toMatch(/package-not-found$/);

    // Excluding the required package's dependency for All Staff.
    const exclude = { packageId: "Shared.Lib", target: { type: "group", id: ALL_STAFF }, intent: "exclude" };
    const impact = await refusedImpact(await assign("exclude-shared", exclude));
    expect(impact.affected).toEqual([expect.objectContaining({ packageId: "Req.App", reason: "excluded-dependency" })]);
    expect((await asUser(host, admin, "/api/admin/v1/assignments/exclude-shared")).status).toBe(404);
    const dry = await assign("exclude-shared", exclude, "?dryRun=true");
    expect(dry.status).toBe(200);
    expect((await asUser(host, admin, "/api/admin/v1/assignments/exclude-shared")).status).toBe(404);

    // Changing the required assignment's range to versions that do not exist.
    const narrowed = await refusedImpact(await assign("req-app", { packageId: "Req.App", range: "[9.0.0]", target: { type: "group", id: ALL_STAFF }, intent: "required" }));
    expect(narrowed.affected.map((a) => a.packageId)).toEqual(["Req.App"]);

    expect((await assign("exclude-shared", exclude, "?force=true")).status).toBe(201);
    expect((await undeliverableList()).map((p) => p.reason)).toEqual(["excluded-dependency"]);
    // Deleting the exclusion repairs it (no impact), deleting the required assignment breaks nothing.
    expect((await asUser(host, admin, "/api/admin/v1/assignments/exclude-shared", { method: "DELETE" })).status).toBe(204);
    expect(await undeliverableList()).toEqual([]);
  }, 120_000);

  it("when an assignment targets a group or user the realm's directory does not know, then 404 names it and nothing is stored, whatever the intent", async () => {
    const ghostGroup = "1b000000-0000-4000-8000-0000000000ff";
    for (const intent of ["required", "exclude"]) {
      const res = await assign(`ghost-group-${intent}`, { packageId: "App.Core", target: { type: "group", id: ghostGroup }, intent });
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      const problem = (await res.json()) as { type: string; detail: string };
      expect(problem.type).toMatch(/group-not-found$/);
      expect(problem.detail).toContain(ghostGroup);
      expect((await asUser(host, admin, `/api/admin/v1/assignments/ghost-group-${intent}`)).status).toBe(404);
    }
    const ghostUser = await assign("ghost-user", { packageId: "App.Core", target: { type: "user", id: "nobody@contoso.example" }, intent: "available" });
    expect(ghostUser.status).toBe(404);
    expect(((await ghostUser.json()) as { type: string }).type).toMatch(/user-not-found$/);
    expect((await asUser(host, admin, "/api/admin/v1/assignments/ghost-user")).status).toBe(404);

    // The same bodies with targets the directory knows are taken.
    expect((await assign("finance-available", { packageId: "App.Core", target: { type: "group", id: DEMO_IDS.contoso.finance }, intent: "available" })).status).toBe(201);
    expect((await assign("megan-available", { packageId: "App.Core", target: { type: "user", id: DEMO_IDS.contoso.megan }, intent: "available" })).status).toBe(201);
    for (const id of ["finance-available", "megan-available"]) expect((await asUser(host, admin, `/api/admin/v1/assignments/${id}`, { method: "DELETE" })).status).toBe(204);
  }, 60_000);
});

async function deviceCount(): Promise<number> {
  const res = await asUser(host, admin, "/api/admin/v1/devices");
  return ((await res.json()) as { devices: unknown[] }).devices.length;
}
