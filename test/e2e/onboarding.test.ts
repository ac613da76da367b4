import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO_TENANT_ID, DEMO_IDS, FABRIKAM_TENANT_ID } from "../../lib/directory/demo-directory.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import type { PolicyDocument } from "../../lib/policies/policy.js";
import { asDevice, asUser, newDevice, userToken, type HostDevice } from "../support/host-identities.js";
import { buildNupkg, type NupkgSpec } from "../support/nupkg-builder.js";
import { startTestHost } from "../support/test-host.js";
import { TestAgent, type AgentScript, type AgentTransport } from "../integration/onboarding/onboarding-driver.js";

let host: RunningLocalHost;
/** A host whose steps time out within half a second, for the silent agent. */
let quick: RunningLocalHost;

/*
 * The initial run's packages come from the real source: .nupkg files published through the admin API and
 * assigned `required` to the device before it enrolls. 7zip depends on vcredist140, which is assigned to nobody:
 * it reaches the plan only as a dependency, and must be installed first.
 */
const PUBLISHED: NupkgSpec[] = [
  { id: "vcredist140", version: "14.38.0", tags: ["realmjoin:system"] },
  { id: "7zip", version: "23.1.0", tags: ["realmjoin:system"], dependencies: [{ id: "vcredist140", version: "[14.0,15.0)" }] },
  { id: "teams-personal", version: "1.2.0", tags: ["realmjoin:user"] },
  { id: "unassigned-tool", version: "1.0.0", tags: ["realmjoin:system"] },
];
/** What a device with the system packages gets assigned (required, targeted at the device itself). */
const REQUIRED_PACKAGES = ["7zip", "teams-personal"];

async function publishPackages(h: RunningLocalHost, tenantId: string): Promise<void> {
  const admin = await userToken(h, tenantId, { admin: true });
  for (const spec of PUBLISHED) {
    const res = await fetch(`${h.url}/api/admin/v1/packages`, {
      method: "PUT",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/octet-stream" },
      body: buildNupkg(spec),
    });
    expect([200, 201], await res.text()).toContain(res.status);
  }
}

beforeAll(async () => {
  [host, quick] = await Promise.all([
    // --fast divides by 60: 5 s step timeout, escrow retries after 0.1 s and 0.2 s (3 attempts).
    startTestHost({ env: { RJ_STEP_TIMEOUT_SECONDS: "300", RJ_STEP_RETRIES: "1", RJ_ESCROW_FIRST_RETRY_SECONDS: "6", RJ_ESCROW_ATTEMPTS: "3" } }),
    startTestHost({ env: { RJ_STEP_TIMEOUT_SECONDS: "30", RJ_STEP_RETRIES: "2" } }),
  ]);
  await publishPackages(host, CONTOSO_TENANT_ID);
});
afterAll(async () => {
  await Promise.all([host?.stop(), quick?.stop()]);
});

interface Enrolled {
  device: HostDevice;
  token: string;
  agent: TestAgent;
  runId: string;
}

function transportFor(h: RunningLocalHost, device: HostDevice, token: string): AgentTransport {
  return {
    deviceId: device.deviceId,
    tenantId: device.tenantId,
    asDevice: (path, init = {}) =>
      asDevice(h, device, path, { ...(init.method ? { method: init.method } : {}), ...(init.body !== undefined ? { body: init.body } : {}), ...(init.user === true ? { token } : {}) }),
    anonymous: (path, init) => fetch(`${h.url}${path}`, { method: init.method, headers: { "content-type": "application/json" }, body: JSON.stringify(init.body) }),
  };
}

async function adminToken(tenantId = CONTOSO_TENANT_ID): Promise<string> {
  return await userToken(host, tenantId, { admin: true });
}

/** Enrolls a new device (policy and packages set first, as the plan is loaded at enroll) and sends its first state report. */
async function enrolled(
  options: { tenantId?: string; policy?: PolicyDocument; packages?: string[]; script?: AgentScript; withUser?: boolean; state?: Record<string, unknown>; on?: RunningLocalHost } = {},
): Promise<Enrolled> {
  const h = options.on ?? host;
  const tenantId = options.tenantId ?? CONTOSO_TENANT_ID;
  const device = await newDevice(h, tenantId);
  if (options.policy !== undefined) {
    const put = await asUser(h, await userToken(h, tenantId, { admin: true }), `/api/admin/v1/policies/device:${device.deviceId}`, { method: "PUT", body: options.policy });
    expect(put.status).toBe(200);
  }
  for (const packageId of options.packages ?? []) {
    const admin = await userToken(h, tenantId, { admin: true });
    const res = await asUser(h, admin, `/api/admin/v1/assignments/${packageId}-for-${device.deviceId.slice(0, 8)}`, {
      method: "PUT",
      body: { packageId, target: { type: "device", id: device.deviceId }, intent: "required" },
    });
    expect([200, 201]).toContain(res.status);
  }
  const token = await userToken(h, tenantId);
  const res = await asDevice(h, device, "/api/agent/v1/enroll", { method: "POST", ...(options.withUser === false ? {} : { token }) });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { onboarding: { runId: string; status: string } };
  expect(body.onboarding.status).toBe("running");
  const agent = new TestAgent(transportFor(h, device, token), options.script);
  await agent.report(options.state);
  return { device, token, agent, runId: body.onboarding.runId };
}

async function adminDevice(deviceId: string, tenantId = CONTOSO_TENANT_ID): Promise<{ primaryUser?: string; onboarding: { status: string; runId: string; failure?: { reason: string }; history: { event: string; stepId?: string; stepKind?: string; reason?: string; data?: Record<string, unknown> }[] } }> {
  const res = await asUser(host, await adminToken(tenantId), `/api/admin/v1/devices/${deviceId}`);
  expect(res.status).toBe(200);
  return (await res.json()) as never;
}

const CHECKS = ["check-updates", "check-encryption", "check-firewall", "check-antivirus"];

describe.concurrent("the initial run", () => {
  it("when a healthy device follows every step, then the run succeeds with its required packages installed in order", async () => {
    const { device, agent, runId } = await enrolled({ packages: REQUIRED_PACKAGES });
    const end = await agent.run();
    expect(end).toMatchObject({ runId, status: "succeeded", step: null });
    expect(agent.seen).toEqual([...CHECKS, "bitlocker", "install-vcredist140", "install-7zip", "restart", "confirm-user", "install-user-teams-personal"]);
    expect(agent.steps[0]).toMatchObject({ kind: "check", name: "updates", mode: "audit" });
    expect(agent.steps.find((s) => s.id === "install-7zip")).toMatchObject({ kind: "install", packageId: "7zip", version: "23.1.0", installContext: "system" });
    expect(agent.steps.find((s) => s.id === "install-user-teams-personal")).toMatchObject({ installContext: "user" });
    const admin = await adminDevice(device.deviceId);
    expect(admin.onboarding.status).toBe("succeeded");
    const events = admin.onboarding.history.map((h) => h.event);
    expect(events[0]).toBe("run-started");
    expect(events).toContain("escrow-verified");
    expect(events.at(-1)).toBe("run-succeeded");
    const answered = admin.onboarding.history.filter((h) => h.event === "step-answered").map((h) => h.stepId);
    expect(answered).toEqual(agent.seen);
  });

  it("when an enforced check fails, then the run fails at that check and goes no further", async () => {
    const { device, agent } = await enrolled({ script: { failChecks: ["firewall"] } });
    const end = await agent.run();
    expect(end.status).toBe("failed");
    expect(end.failure).toMatchObject({ reason: "check-failed", stepId: "check-firewall", detail: "firewall is not compliant" });
    expect(agent.seen).toEqual(["check-updates", "check-encryption", "check-firewall"]);
    expect((await adminDevice(device.deviceId)).onboarding.failure).toMatchObject({ reason: "check-failed" });
  });

  it("when an audited check fails, then it is recorded and the run goes on to succeed", async () => {
    const { device, agent } = await enrolled({ script: { failChecks: ["updates"] } });
    expect((await agent.run()).status).toBe("succeeded");
    const audited = (await adminDevice(device.deviceId)).onboarding.history.filter((h) => h.event === "check-audited");
    expect(audited).toEqual([expect.objectContaining({ stepId: "check-updates", reason: "audit" })]);
  });

  it("when the recovery key never reaches Entra ID, then the run fails with bitlocker-escrow once the retries are spent", async () => {
    const { device, agent } = await enrolled({ script: { noEscrow: true } });
    const end = await agent.run();
    expect(end.failure).toMatchObject({ reason: "bitlocker-escrow", stepId: "bitlocker" });
    const history = (await adminDevice(device.deviceId)).onboarding.history;
    expect(history.find((h) => h.event === "escrow-missing")?.data).toEqual({ attempts: 3 });
    expect(history.at(-1)).toMatchObject({ event: "run-failed", stepId: "bitlocker", stepKind: "bitlocker", reason: "bitlocker-escrow" });
  });

  it("when a device of a NoGraph realm sends its recovery key, then only the realm's admin can read it back and it appears nowhere else", async () => {
    const { device, agent } = await enrolled({ tenantId: FABRIKAM_TENANT_ID, policy: { bitlockerEnabled: true }, script: { notJoined: true } });
    expect((await agent.run()).status).toBe("succeeded");
    const view = await asUser(host, await adminToken(FABRIKAM_TENANT_ID), `/api/admin/v1/devices/${device.deviceId}`);
    const text = await view.text();
    expect(text).toContain("escrow-backend");
    expect(text).not.toContain(agent.recoveryKey);
    const keys = await asUser(host, await adminToken(FABRIKAM_TENANT_ID), `/api/admin/v1/devices/${device.deviceId}/recovery-keys`);
    expect(keys.status).toBe(200);
    expect(((await keys.json()) as { keys: { recoveryKey: string }[] }).keys.map((k) => k.recoveryKey)).toEqual([agent.recoveryKey]);
    expect((await asUser(host, await adminToken(CONTOSO_TENANT_ID), `/api/admin/v1/devices/${device.deviceId}/recovery-keys`)).status).toBe(404);
    for (const name of ["OnboardingRuns", "OnboardingResults", "OnboardingHistory", "RecoveryKeys", "DurableInstances"] as const) {
      for await (const row of (await host.services.tables.table(name)).listEntities()) expect(JSON.stringify(row)).not.toContain(agent.recoveryKey);
    }
    expect((await asUser(host, await userToken(host, FABRIKAM_TENANT_ID), `/api/admin/v1/devices/${device.deviceId}/recovery-keys`)).status).toBe(403);
  });

  it("when a package fails to install, then the run fails at that install", async () => {
    const { agent } = await enrolled({ packages: REQUIRED_PACKAGES, script: { failInstalls: ["7zip"] } });
    const end = await agent.run();
    expect(end.failure).toMatchObject({ reason: "install-failed", stepId: "install-7zip", detail: "exit code 1603" });
    expect(agent.seen.at(-1)).toBe("install-7zip");
  });

  it("when the agent goes silent, then the step is re-published up to the budget and the run fails with step-timeout", async () => {
    const { device, agent } = await enrolled({ on: quick, tenantId: FABRIKAM_TENANT_ID, script: { silentAt: "restart" } });
    const end = await agent.run();
    expect(end.failure).toMatchObject({ reason: "step-timeout", stepId: "restart" });
    const res = await asUser(quick, await userToken(quick, FABRIKAM_TENANT_ID, { admin: true }), `/api/admin/v1/devices/${device.deviceId}`);
    const history = ((await res.json()) as { onboarding: { history: { event: string; stepId?: string }[] } }).onboarding.history;
    const restart = history.filter((h) => h.stepId === "restart").map((h) => h.event);
    expect(restart).toEqual(["step-published", "step-timed-out", "step-republished", "step-timed-out", "step-republished", "step-timed-out", "run-failed"]);
  });

  it("when the device has no primary user, then confirm-user sets the confirming user, and a confirm without the user's token is refused", async () => {
    const { device, agent, runId } = await enrolled({ withUser: false });
    const again = await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST" });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { onboarding: { runId: string } }).onboarding.runId).toBe(runId);
    expect((await adminDevice(device.deviceId)).primaryUser).toBeUndefined();
    const view = await agent.runUntil("confirm-user");
    const bare = await agent.post(view.runId, "confirm-user", { outcome: "succeeded" }, false);
    expect(bare.status).toBe(401);
    expect((await agent.run()).status).toBe("succeeded");
    const admin = await adminDevice(device.deviceId);
    expect(admin.primaryUser).toBe(DEMO_IDS.contoso.adele);
    expect(admin.onboarding.history.find((h) => h.event === "user-confirmed")?.data).toMatchObject({ primaryUser: DEMO_IDS.contoso.adele, primaryUserSet: true });
  });

  it("when the policy names a legacy auth provider, then second-identity follows confirm-user and keeps the account name only", async () => {
    const { agent } = await enrolled({ tenantId: FABRIKAM_TENANT_ID, policy: { legacyAuthProvider: "FABRIKAM-AD" } });
    const view = await agent.runUntil("second-identity");
    // Step data is read tolerantly (API.md 1.1): a field beyond the account name is dropped, never stored.
    const sneaky = await agent.post(view.runId, "second-identity", { outcome: "succeeded", data: { accountName: "FABRIKAM\\eve", password: "hunter2" } }, true);
    expect(sneaky.status).toBe(202);
    expect(await sneaky.text()).not.toContain("hunter2");
    for (const name of ["OnboardingRuns", "OnboardingResults", "OnboardingHistory", "DurableInstances"] as const) {
      for await (const row of (await host.services.tables.table(name)).listEntities()) expect(JSON.stringify(row)).not.toContain("hunter2");
    }
    expect((await agent.run()).status).toBe("succeeded");
    expect(agent.seen.slice(-2)).toEqual(["confirm-user", "second-identity"]);
    const { agent: plain } = await enrolled({ tenantId: FABRIKAM_TENANT_ID });
    expect((await plain.run()).status).toBe("succeeded");
    expect(plain.seen).toEqual([...CHECKS, "restart", "confirm-user"]);
  });

  it("when the device is a virtual machine, then BitLocker is skipped and the history says why", async () => {
    const { device, agent } = await enrolled({ state: { isVirtualMachine: true } });
    expect((await agent.run()).status).toBe("succeeded");
    expect(agent.seen).not.toContain("bitlocker");
    const skipped = (await adminDevice(device.deviceId)).onboarding.history.find((h) => h.event === "step-skipped");
    expect(skipped).toMatchObject({ stepId: "bitlocker", reason: "virtual-machine" });
    const { agent: optedIn } = await enrolled({ state: { isVirtualMachine: true }, policy: { bitlockerOnVirtualMachines: true } });
    expect((await optedIn.run()).status).toBe("succeeded");
    expect(optedIn.seen).toContain("bitlocker");
  });

  it("when a result names a step that is not the current one, then 409; an identical repeat is accepted again, a different one refused", async () => {
    const { agent } = await enrolled();
    const view = await agent.runUntil("check-updates");
    const ahead = await agent.post(view.runId, "restart", { outcome: "succeeded", data: { bootId: "b" } }, false);
    expect(ahead.status).toBe(409);
    expect(((await ahead.json()) as { type: string }).type).toContain("not-current-step");
    const first = await agent.post(view.runId, "check-updates", { outcome: "succeeded" }, false);
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ accepted: true, repeated: false });
    const again = await agent.post(view.runId, "check-updates", { outcome: "succeeded" }, false);
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ accepted: true, repeated: true });
    const changed = await agent.post(view.runId, "check-updates", { outcome: "failed", detail: "changed my mind" }, false);
    expect(changed.status).toBe(409);
    const wrongRun = await agent.post(`${view.runId}9`, "check-encryption", { outcome: "succeeded" }, false);
    expect(wrongRun.status).toBe(409);
    expect((await agent.run()).status).toBe("succeeded");
  });
});

describe("the admin's views", () => {
  it("when runs end in several ways, then the rollout counts them by status and step with failure reasons, and a failed run can be retried once", async () => {
    const failing = await enrolled({ script: { failChecks: ["antivirus"] } });
    const running = await enrolled();
    await failing.agent.run();
    await running.agent.runUntil("check-updates");
    const admin = await adminToken();
    const rollout = (await (await asUser(host, admin, "/api/admin/v1/onboarding")).json()) as {
      total: number;
      byStatus: Record<string, number>;
      byStep: Record<string, number>;
      failures: { byReason: Record<string, number>; devices: { deviceId: string; reason: string; stepId: string }[] };
    };
    expect(rollout.byStatus["failed"]).toBeGreaterThanOrEqual(1);
    expect(rollout.byStatus["running"]).toBeGreaterThanOrEqual(1);
    expect(rollout.byStep["check-updates"]).toBeGreaterThanOrEqual(1);
    expect(rollout.failures.byReason["check-failed"]).toBeGreaterThanOrEqual(1);
    expect(rollout.failures.devices).toContainEqual({ deviceId: failing.device.deviceId, runId: failing.runId, reason: "check-failed", stepId: "check-antivirus", detail: "antivirus is not compliant", finishedAt: expect.any(String) });
    expect((await asUser(host, await adminToken(FABRIKAM_TENANT_ID), "/api/admin/v1/onboarding").then((r) => r.json()) as { failures: { devices: { deviceId: string }[] } }).failures.devices.map((d) => d.deviceId)).not.toContain(failing.device.deviceId);

    expect((await asUser(host, admin, `/api/admin/v1/devices/${running.device.deviceId}/onboarding/retry`, { method: "POST" })).status).toBe(409);
    const retry = await asUser(host, admin, `/api/admin/v1/devices/${failing.device.deviceId}/onboarding/retry`, { method: "POST" });
    expect(retry.status).toBe(202);
    const retried = (await retry.json()) as { runId: string; attempt: number };
    expect(retried.runId).not.toBe(failing.runId);
    expect(retried.attempt).toBe(2);
    failing.agent.script = {};
    const end = await failing.agent.run();
    expect(end).toMatchObject({ runId: retried.runId, status: "succeeded" });
    expect((await asUser(host, admin, `/api/admin/v1/devices/${failing.device.deviceId}/onboarding/retry`, { method: "POST" })).status).toBe(409);
    const history = (await adminDevice(failing.device.deviceId)).onboarding.history;
    expect(history.filter((h) => h.event === "run-started")).toHaveLength(2);
    expect(history.map((h) => h.event)).toContain("run-failed");
    expect(history.at(-1)?.event).toBe("run-succeeded");
    await running.agent.run();
  });
});

describe("retrying only the failed step", () => {
  it("when a user package failed, then helpdesk's single-step retry finishes the run without publishing the restart again", async () => {
    const failing = await enrolled({ packages: REQUIRED_PACKAGES, script: { failInstalls: ["teams-personal"] } });
    const first = await failing.agent.run();
    expect(first).toMatchObject({ status: "failed" });
    expect((await adminDevice(failing.device.deviceId)).onboarding.failure).toMatchObject({ reason: "install-failed" });
    const answeredBefore = failing.agent.answered.length;

    const helpdesk = await userToken(host, CONTOSO_TENANT_ID, { role: "helpdesk" });
    const retry = await asUser(host, helpdesk, `/api/admin/v1/devices/${failing.device.deviceId}/onboarding/retry-step`, { method: "POST" });
    expect(retry.status).toBe(202);
    const retried = (await retry.json()) as { runId: string; attempt: number; resumeFrom: string };
    expect(retried).toMatchObject({ attempt: 2, resumeFrom: "install-user-teams-personal" });
    failing.agent.script = {};
    const end = await failing.agent.run();
    expect(end).toMatchObject({ runId: retried.runId, status: "succeeded" });
    expect(failing.agent.answered.slice(answeredBefore).map((a) => a.stepId)).toEqual(["install-user-teams-personal"]);
    const history = (await adminDevice(failing.device.deviceId)).onboarding.history;
    expect(history.filter((h) => h.stepId === "restart" && h.event === "step-published")).toHaveLength(1);
    expect((await asUser(host, helpdesk, `/api/admin/v1/devices/${failing.device.deviceId}/onboarding/retry-step`, { method: "POST" })).status).toBe(409);
  });
});
