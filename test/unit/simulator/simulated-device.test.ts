import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DevDeviceCa } from "../../../lib/auth/dev-device-ca.js";
import { DEMO_IDS } from "../../../lib/directory/demo-directory.js";
import { issueDeviceIdentity } from "../../../lib/simulator/device-identity.js";
import { runFleet } from "../../../lib/simulator/fleet.js";
import type { Script } from "../../../lib/simulator/script.js";
import { SimulatedDevice } from "../../../lib/simulator/simulated-device.js";
import { DevUserTokens } from "../../../lib/simulator/user-tokens.js";
import { startFakeAgentApi, type FakeAgentApi, type FakeAgentApiOptions } from "./fake-agent-api.js";

const CONTOSO = "11111111-1111-4111-8111-111111111111";
const AUDIENCE = "api://realmjoin-backend";
const FAST = { pollMs: 5, requestTimeoutMs: 5000, runTimeoutMs: 20_000 };
const RETRY = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 50 };

let dataDir: string;
let ca: DevDeviceCa;
let tokens: DevUserTokens;
let api: FakeAgentApi | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "rj-sim-"));
  ca = await DevDeviceCa.open({ dataDir });
  tokens = await DevUserTokens.open({ dataDir, issuerBase: "http://127.0.0.1/api/dev/idp", audience: AUDIENCE });
});
afterAll(async () => rm(dataDir, { recursive: true, force: true }));
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function deviceAgainst(options: Partial<FakeAgentApiOptions> = {}, script: Script = {}) {
  api = await startFakeAgentApi({ realm: CONTOSO, audience: AUDIENCE, ...options });
  const identity = await issueDeviceIdentity(ca, CONTOSO);
  const user = tokens.forUser(CONTOSO, { id: DEMO_IDS.contoso.adele, userPrincipalName: "adele@contoso.example" });
  const device = new SimulatedDevice({ baseUrl: api.url, identity, user, script, timing: FAST, retry: RETRY });
  return { device, api, record: () => api!.devices.get(identity.deviceId)! };
}

describe("SimulatedDevice against an API.md back-end", () => {
  it("when the run walks through every step kind, then the agent answers each as the Windows agent would and the run succeeds", async () => {
    const { device, api, record } = await deviceAgainst({ withSecondIdentity: true });
    const result = await device.runInitialRun();

    expect(result).toMatchObject({ status: "succeeded", asExpected: true, expectation: { status: "succeeded" } });
    expect(result.steps.map((s) => s.kind)).toEqual(["check", "check", "check", "check", "bitlocker", "install", "install", "restart", "confirm-user", "second-identity", "install"]);
    expect(result.steps.every((s) => s.outcome === "succeeded")).toBe(true);
    const answers = record().answers;
    // The recovery key reached (fake) Entra under the protector id the agent reported.
    const bitlocker = answers.find((a) => a.kind === "bitlocker")!;
    expect(api.escrowed).toEqual([{ deviceId: device.deviceId, keyId: (bitlocker.body["data"] as { keyId: string }).keyId, tenantId: CONTOSO }]);
    // User steps carry the user's token, system steps do not.
    expect(answers.filter((a) => a.hadUser).map((a) => a.kind)).toEqual(["confirm-user", "second-identity", "install"]);
    expect(answers.find((a) => a.kind === "second-identity")!.body).toEqual({ outcome: "succeeded", data: { accountName: "CONTOSO\\adele" } });
    // A new boot was reported before the restart step was answered, and sequences only grow.
    const states = record().states;
    expect(new Set(states.map((s) => s["bootId"])).size).toBe(2);
    const sequences = states.map((s) => s["sequence"] as number);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(sequences.length);
    expect(states.at(-1)).toMatchObject({
      installed: [
        { id: "Contoso.Runtime", version: "1.0.0", status: "installed" },
        { id: "Contoso.Tool", version: "2.1.0", status: "installed" },
        { id: "Contoso.Notes", version: "3.0.0", status: "installed" },
      ],
      security: { updates: "ok", encryption: "ok", firewall: "ok", antivirus: "ok" },
      isVirtualMachine: false,
      channel: "stable",
    });
    expect(device.deliveryOptimizationGroupId).toBe("6f000000-0000-4000-8000-000000000001");
  });

  it("when the agent calls the API, then every request has an x-request-id and a device assertion with a jti never used before", async () => {
    const { device, api } = await deviceAgainst();
    await device.runInitialRun();
    const withDevice = api.requests.filter((r) => r.jti !== undefined);
    expect(withDevice.length).toBeGreaterThan(15);
    expect(new Set(withDevice.map((r) => r.jti)).size).toBe(withDevice.length);
    expect(api.requests.every((r) => r.requestId !== undefined)).toBe(true);
    expect(api.requests.some((r) => r.route.startsWith("GET /sas/"))).toBe(true);
  });

  it("when the configuration has not changed, then the agent revalidates with If-None-Match and keeps it on 304", async () => {
    const { device, api } = await deviceAgainst();
    await device.enroll();
    expect(await device.syncConfig()).toBe(true);
    const hash = api.requests.length;
    expect(await device.syncConfig()).toBe(false);
    const revalidation = api.requests.slice(hash).find((r) => r.route === "GET /config")!;
    expect(revalidation.ifNoneMatch).toMatch(/^"[0-9a-f]{64}"$/);
    expect(device.config?.securityRequirements?.firewall).toBe("enforce");
  });

  it("when the back-end throttles with Retry-After and then is unavailable, then the agent retries with fresh assertions and carries on", async () => {
    const { device, api } = await deviceAgainst({
      faults: { "GET /config": [{ status: 429, retryAfter: "0" }, { status: 503, retryAfter: "0" }], "POST /state": [{ status: 503 }] },
    });
    const result = await device.runInitialRun();
    expect(result.status).toBe("succeeded");
    const configCalls = api.requests.filter((r) => r.route === "GET /config");
    expect(configCalls.length).toBeGreaterThanOrEqual(3);
    expect(new Set(configCalls.map((r) => r.jti)).size).toBe(configCalls.length);
  });

  it("when the enforced firewall check is scripted to fail, then the agent reports it failed and the run's failure was expected", async () => {
    const { device } = await deviceAgainst({}, { failChecks: ["firewall"] });
    const result = await device.runInitialRun();
    expect(result).toMatchObject({ status: "failed", reason: "check-failed:firewall", asExpected: true });
    expect(result.steps.at(-1)).toMatchObject({ kind: "check", name: "firewall", outcome: "failed" });
  });

  it("when an audited check fails, then the agent still reports it failed and expects the run to go on", async () => {
    const { device } = await deviceAgainst({}, { failChecks: ["antivirus"] });
    const result = await device.runInitialRun();
    expect(result).toMatchObject({ status: "succeeded", asExpected: true });
    expect(result.steps.find((s) => s.name === "antivirus")?.outcome).toBe("failed");
  });

  it("when escrow never lands, then the agent does not escrow and the bitlocker-escrow failure is the expected one", async () => {
    const { device, api } = await deviceAgainst({}, { noEscrow: true });
    const result = await device.runInitialRun();
    expect(api.escrowed).toEqual([]);
    expect(result).toMatchObject({ status: "failed", reason: "bitlocker-escrow", asExpected: true });
  });

  it("when an install is scripted to fail, then that package is reported failed in the step and in the state", async () => {
    const { device, record } = await deviceAgainst({}, { failInstalls: ["contoso.tool"] });
    const result = await device.runInitialRun();
    expect(result).toMatchObject({ status: "failed", asExpected: true });
    expect(result.steps.at(-1)).toMatchObject({ kind: "install", packageId: "Contoso.Tool", outcome: "failed" });
    expect(record().states.at(-1)?.["installed"]).toContainEqual({ id: "Contoso.Tool", version: "2.1.0", status: "failed" });
  });

  it("when the agent is scripted silent at restart, then it stops there without answering or reporting the new boot", async () => {
    const { device, record } = await deviceAgainst({}, { silentAt: "restart", virtualMachine: true });
    const result = await device.runInitialRun();
    expect(result).toMatchObject({ status: "silent", asExpected: true, expectation: { status: "silent", at: "restart" } });
    expect(record().answers.map((a) => a.kind)).not.toContain("restart");
    expect(new Set(record().states.map((s) => s["bootId"])).size).toBe(1);
    expect(record().states[0]).toMatchObject({ isVirtualMachine: true });
  });

  it("when documents are signed with a key the realm does not publish, then the agent refuses to use them", async () => {
    const { device } = await deviceAgainst({ rogueSigner: true });
    const result = await device.runInitialRun();
    expect(result.status).toBe("error");
    expect(result.reason).toMatch(/signature does not verify/);
    expect(result.asExpected).toBe(false);
  });

  it("when the downloaded bytes do not match the manifest, then the install step fails with the hash mismatch", async () => {
    const { device } = await deviceAgainst({ corruptContent: true });
    const result = await device.runInitialRun();
    expect(result.status).toBe("failed");
    expect(result.steps.at(-1)?.detail).toMatch(/sha256 [0-9a-f]{64}, manifest says/);
  });

  it("when an install link is assigned, then entry and dependencies are installed; when not, then the 403 is returned", async () => {
    const { device } = await deviceAgainst({ assignedLinks: ["Contoso.Tool"] });
    await device.enroll();
    expect(await device.useInstallLink("Contoso.Tool")).toEqual({ packageId: "Contoso.Tool", status: 200, installed: ["Contoso.Runtime", "Contoso.Tool"] });
    expect(await device.useInstallLink("Contoso.Notes")).toMatchObject({ packageId: "Contoso.Notes", status: 403, installed: [] });
  });
});

describe("runFleet against an API.md back-end", () => {
  it("when a small fleet runs with one scripted failure, then the summary counts it as expected and the run is ok", async () => {
    api = await startFakeAgentApi({ realm: CONTOSO, audience: AUDIENCE });
    const snapshots: number[] = [];
    const summary = await runFleet({
      baseUrl: api.url,
      dataDir,
      realm: "contoso",
      devices: 4,
      concurrency: 2,
      script: (i) => (i === 0 ? { failChecks: ["firewall"] } : {}),
      timing: FAST,
      retry: RETRY,
      onProgress: (s) => snapshots.push(s.succeeded + s.failed + s.other),
      progressIntervalMs: 10,
    });
    expect(summary).toMatchObject({ devices: 4, byStatus: { succeeded: 3, failed: 1 }, asExpected: 4, ok: true, failureReasons: { "failed: check-failed:firewall": 1 } });
    expect(Object.keys(summary.stepLatency).sort()).toEqual(["bitlocker", "check", "confirm-user", "install", "restart"]);
    // Three devices pass four checks; the failing one stops at its third.
    expect(summary.stepLatency["check"]?.count).toBe(15);
    expect(summary.requests).toBeGreaterThan(50);
    expect(snapshots.at(-1)).toBe(4);
    // Users were handed out round-robin across the realm's demo users.
    const c = DEMO_IDS.contoso;
    expect([...api.devices.values()].map((d) => d.enrolledBy).sort()).toEqual([c.adele, c.adele, c.megan, c.alex].sort());
  });

  it("when the duration ends before the runs do, then the unfinished devices count as timeouts and the fleet is not ok", async () => {
    api = await startFakeAgentApi({ realm: CONTOSO, audience: AUDIENCE });
    const summary = await runFleet({
      baseUrl: api.url,
      dataDir,
      realm: "contoso",
      devices: 2,
      durationMs: 1,
      timing: { ...FAST, pollMs: 1000 },
      retry: RETRY,
    });
    expect(summary.byStatus.timeout).toBe(2);
    expect(summary.ok).toBe(false);
  });
});
