import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from "jose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDeviceAssertion } from "../../lib/auth/device-assertion-client.js";
import { DevDeviceCa } from "../../lib/auth/dev-device-ca.js";
import { DevIdentityProvider } from "../../lib/auth/dev-identity-provider.js";
import { resolveUser } from "../../lib/cli/dev-identity.js";
import { CONTOSO_TENANT_ID } from "../../lib/directory/demo-directory.js";
import { readDevIssuerInfo } from "../../lib/localhost/dev-settings.js";
import { freePort } from "../../lib/localhost/free-port.js";
import { uniquePrefix } from "../support/test-host.js";

/*
 * The operator's path on a fresh local host, as a person runs it: the built app (`npx tsc -p tsconfig.build.json`),
 * `node dist/lib/localhost/main.js`, and the realm CLI as child processes.
 */

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = join(ROOT, "dist/lib/localhost/main.js");
const CLI = join(ROOT, "dist/lib/cli/realm.js");

let hostProcess: ChildProcess | undefined;
let dataDir: string;
let url: string;

async function waitForHealth(): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (hostProcess?.exitCode !== null) throw new Error(`the host exited with ${String(hostProcess?.exitCode)}`);
    try {
      if ((await fetch(`${url}/api/health`)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the host did not come up");
}

beforeAll(async () => {
  // Type errors elsewhere in the tree do not stop tsc from emitting; what matters is that both programs exist.
  await run("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: ROOT }).catch(() => undefined);
  expect(existsSync(MAIN) && existsSync(CLI)).toBe(true);
  dataDir = mkdtempSync(join(tmpdir(), "rj-cli-host-"));
  const port = await freePort();
  url = `http://localhost:${port}`;
  hostProcess = spawn(process.execPath, [MAIN, "--port", String(port), "--data", dataDir, "--dev-identity"], {
    cwd: dataDir,
    env: { ...process.env, AzureWebJobsStorage: inject("storageConnectionString"), RJ_TABLE_PREFIX: uniquePrefix() },
    stdio: "ignore",
  });
  await waitForHealth();
}, 240_000);

afterAll(async () => {
  const child = hostProcess;
  if (child !== undefined && child.exitCode === null) {
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs the realm CLI against the host; resolves with its exit code and output. */
async function realmCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args, "--url", url, "--data", dataDir], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failure = e as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? -1, stdout: failure.stdout ?? "", stderr: failure.stderr ?? "" };
  }
}

async function jwksOf(tenantId: string): Promise<JSONWebKeySet> {
  return (await (await fetch(`${url}/api/agent/v1/keys?realm=${tenantId}`)).json()) as JSONWebKeySet;
}

describe("taking on a third realm with the operator CLI", () => {
  const tenantId = randomUUID();
  const deviceId = randomUUID();

  async function device(): Promise<(path: string, init?: { method?: string; token?: string }) => Promise<Response>> {
    const ca = await DevDeviceCa.open({ dataDir });
    const issued = await ca.issueDeviceCertificate(deviceId, { generate: "ES256" });
    const info = readDevIssuerInfo(dataDir);
    return async (path, init = {}) => {
      const assertion = await createDeviceAssertion({
        keyPem: issued.keyPem ?? "",
        certPem: issued.certPem,
        tenantId,
        deviceId,
        audience: info.audience,
        alg: "ES256",
      });
      const headers: Record<string, string> = { "x-rj-device-assertion": assertion };
      if (init.token !== undefined) headers["authorization"] = `Bearer ${init.token}`;
      return await fetch(`${url}${path}`, { method: init.method ?? "GET", headers });
    };
  }

  async function userToken(): Promise<string> {
    const info = readDevIssuerInfo(dataDir);
    const idp = await DevIdentityProvider.open({ dataDir, issuerBase: info.issuerBase, v1IssuerBase: info.v1IssuerBase });
    const user = resolveUser(tenantId, "someone@northwind.example");
    return await idp.mintAccessToken({ tenantId, oid: user.oid, upn: user.upn, name: user.name, audience: info.audience });
  }

  it("when added, its device enrolls and gets a config signed by its key only; disabled, its agent stops at the next request", async () => {
    const added = await realmCli("add", tenantId, "--name", "Northwind Traders", "--dev-ca", "--no-graph");
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ tenantId, status: "active", deviceTrust: "device-ca", noGraph: true });

    const listed = await realmCli("list");
    expect((JSON.parse(listed.stdout) as { realms: { tenantId: string }[] }).realms.map((r) => r.tenantId)).toContain(tenantId);

    const call = await device();
    expect((await call("/api/agent/v1/enroll", { method: "POST", token: await userToken() })).status).toBe(201);
    const config = await call("/api/agent/v1/config");
    expect(config.status).toBe(200);
    const jws = await config.text();
    const { payload } = await compactVerify(jws, createLocalJWKSet(await jwksOf(tenantId)));
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({ realm: tenantId, deviceId });
    await expect(compactVerify(jws, createLocalJWKSet(await jwksOf(CONTOSO_TENANT_ID)))).rejects.toThrow();

    const shown = await realmCli("show", tenantId);
    expect(JSON.parse(shown.stdout)).toMatchObject({ tenantId, counts: { devices: 1, policies: 1 } });

    expect((await realmCli("disable", tenantId)).code).toBe(0);
    const refused = await call("/api/agent/v1/config");
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { type: string }).type).toMatch(/realm-disabled$/);

    expect((await realmCli("enable", tenantId)).code).toBe(0);
    expect((await call("/api/agent/v1/config")).status).toBe(200);

    expect((await realmCli("delete", tenantId)).code).toBe(0);
    expect((await call("/api/agent/v1/config")).status).toBe(401);
  });

  it("when the server refuses (unknown realm) or the command line is wrong, then the exit code says so", async () => {
    expect((await realmCli("show", randomUUID())).code).toBe(1);
    expect((await realmCli("show", "not-a-guid")).code).toBe(2);
  });

  it("when a customer admin's token is given, then the operator route refuses it", async () => {
    const info = readDevIssuerInfo(dataDir);
    const idp = await DevIdentityProvider.open({ dataDir, issuerBase: info.issuerBase, v1IssuerBase: info.v1IssuerBase });
    const admin = resolveUser(CONTOSO_TENANT_ID, undefined);
    const token = await idp.mintAccessToken({ tenantId: CONTOSO_TENANT_ID, oid: admin.oid, upn: admin.upn, name: admin.name, roles: ["RealmJoin.Admin"], audience: info.audience });
    const result = await realmCli("list", "--token", token);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("403");
  });
});
