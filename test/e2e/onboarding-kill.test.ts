import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createDeviceAssertion } from "../../lib/auth/device-assertion-client.js";
import { DevDeviceCa } from "../../lib/auth/dev-device-ca.js";
import { DevIdentityProvider } from "../../lib/auth/dev-identity-provider.js";
import { ADMIN_ROLE } from "../../lib/auth/principals.js";
import { CONTOSO_TENANT_ID, DEMO_IDS } from "../../lib/directory/demo-directory.js";
import { readDevIssuerInfo } from "../../lib/localhost/dev-settings.js";
import { freePort } from "../../lib/localhost/free-port.js";
import { uniquePrefix } from "../support/test-host.js";
import { TestAgent, type AgentTransport } from "../integration/onboarding/onboarding-driver.js";

const MAIN = resolve("dist/lib/localhost/main.js");
const DEVICES = 20;
const STEPS = ["check-updates", "check-encryption", "check-firewall", "check-antivirus", "bitlocker", "restart", "confirm-user"];

let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill("SIGKILL");
});

/** The built local host as a real child process on a fixed port, data folder and table prefix. */
async function startHost(port: number, dataDir: string, prefix: string): Promise<ChildProcess> {
  const env = {
    ...process.env,
    AzureWebJobsStorage: inject("storageConnectionString"),
    RJ_TABLE_PREFIX: prefix,
    // Long step timeouts: the outage must not cost a step its re-publish budget; escrow is checked at once.
    RJ_STEP_TIMEOUT_SECONDS: "600",
    RJ_ESCROW_FIRST_RETRY_SECONDS: "1",
  };
  const proc = spawn(process.execPath, [MAIN, "--port", String(port), "--data", dataDir, "--dev-identity"], { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  proc.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`the host exited (${proc.exitCode}): ${stderr}`);
    const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.status === 200, () => false);
    if (ok) return proc;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the host did not become healthy: ${stderr}`);
}

/** fetch that waits out a host that is down (connection refused) and tries again with fresh headers. */
async function patient(make: () => Promise<{ url: string; init: RequestInit }>): Promise<Response> {
  for (let i = 0; ; i++) {
    const { url, init } = await make();
    try {
      return await fetch(url, init);
    } catch (error) {
      if (i > 600) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe("the initial run across a host crash", () => {
  it("when the host is killed in the middle of 20 concurrent runs and started again, then every run finishes with no step lost or skipped", { timeout: 90_000 }, async () => {
    expect(existsSync(MAIN), "build first: npx tsc -p tsconfig.build.json").toBe(true);
    const dataDir = mkdtempSync(join(tmpdir(), "rj-onb-kill-"));
    const port = await freePort();
    const prefix = uniquePrefix();
    const base = `http://127.0.0.1:${port}`;
    child = await startHost(port, dataDir, prefix);

    const issuer = readDevIssuerInfo(dataDir);
    const idp = await DevIdentityProvider.open({ dataDir, issuerBase: issuer.issuerBase, v1IssuerBase: issuer.v1IssuerBase });
    const ca = await DevDeviceCa.open({ dataDir });
    const mint = (roles: string[]) => idp.mintAccessToken({ tenantId: CONTOSO_TENANT_ID, oid: DEMO_IDS.contoso.adele, upn: "adele@contoso.example", roles, audience: issuer.audience });
    const userToken = await mint([]);
    const adminToken = await mint([ADMIN_ROLE]);

    const enrollOne = async (): Promise<TestAgent> => {
      const deviceId = randomUUID();
      const issued = await ca.issueDeviceCertificate(deviceId, { generate: "ES256" });
      const keyPem = issued.keyPem ?? "";
      const assertion = () => createDeviceAssertion({ keyPem, certPem: issued.certPem, tenantId: CONTOSO_TENANT_ID, deviceId, audience: issuer.audience, alg: "ES256" });
      const transport: AgentTransport = {
        deviceId,
        tenantId: CONTOSO_TENANT_ID,
        asDevice: (path, init = {}) =>
          patient(async () => ({
            url: `${base}${path}`,
            init: {
              method: init.method ?? "GET",
              headers: {
                "x-rj-device-assertion": await assertion(),
                ...(init.user === true ? { authorization: `Bearer ${userToken}` } : {}),
                ...(init.body === undefined ? {} : { "content-type": "application/json" }),
              },
              ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
            },
          })),
        anonymous: (path, init) => patient(async () => ({ url: `${base}${path}`, init: { method: init.method, headers: { "content-type": "application/json" }, body: JSON.stringify(init.body) } })),
      };
      const enroll = await transport.asDevice("/api/agent/v1/enroll", { method: "POST", user: true });
      expect(enroll.status).toBe(201);
      const agent = new TestAgent(transport, { pollMs: 100 });
      await agent.report();
      return agent;
    };
    const agents = await Promise.all(Array.from({ length: DEVICES }, enrollOne));
    const runs = agents.map((a) => a.run(80_000));
    // Kill once the fleet is well into its runs, but before any could have finished.
    const answered = () => agents.reduce((n, a) => n + a.answered.length, 0);
    while (answered() < DEVICES * 2) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGKILL");
    await new Promise((r) => child?.once("exit", r));
    const atKill = answered();
    expect(atKill).toBeLessThan(DEVICES * STEPS.length);

    child = await startHost(port, dataDir, prefix);
    const ends = await Promise.all(runs);

    expect(ends.map((e) => e.status)).toEqual(Array(DEVICES).fill("succeeded"));
    // The plan may hold the realm's required packages (install steps) besides the fixed steps; every device has the same plan.
    const plan = agents[0]?.seen ?? [];
    expect(plan.filter((id) => STEPS.includes(id))).toEqual(STEPS);
    for (const agent of agents) expect(agent.seen).toEqual(plan);
    for (const agent of agents) {
      const res = await fetch(`${base}/api/admin/v1/devices/${agent.transport.deviceId}`, { headers: { authorization: `Bearer ${adminToken}` } });
      const view = (await res.json()) as { onboarding: { status: string; history: { event: string; stepId?: string }[] } };
      expect(view.onboarding.status).toBe("succeeded");
      expect(view.onboarding.history.filter((h) => h.event === "step-answered").map((h) => h.stepId)).toEqual(plan);
      expect(view.onboarding.history.at(-1)?.event).toBe("run-succeeded");
    }
    const rollout = (await (await fetch(`${base}/api/admin/v1/onboarding`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as { byStatus: Record<string, number> };
    expect(rollout.byStatus).toEqual({ running: 0, succeeded: DEVICES, failed: 0 });

    child.kill("SIGTERM");
    await new Promise((r) => child?.once("exit", r));
    child = undefined;
  });
});
