import { execFile } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { endpoint } from "../../lib/http/endpoint.js";
import { json } from "../../lib/http/reply.js";
import { LOCAL_HOST_USAGE, parseLocalHostArgs } from "../../lib/localhost/args.js";
import { startLocalHost, type RunningLocalHost } from "../../lib/localhost/local-host.js";
import { localHostSettings } from "../../lib/localhost/local-settings.js";
import type { HttpFunctionEntry } from "../../lib/registry/types.js";
import { silentLogger } from "../../lib/telemetry/logger.js";
import { startTestHost, uniquePrefix } from "../support/test-host.js";

const MAIN = resolve("dist/lib/localhost/main.js");

const entry = (name: string, route: string): HttpFunctionEntry => ({
  name,
  route,
  methods: ["GET"],
  area: "system",
  handler: endpoint({ auth: "none", handle: async () => json({ name }) }),
});

function externalSettings(devIdentity: boolean) {
  return localHostSettings({
    env: { AzureWebJobsStorage: inject("storageConnectionString"), RJ_TABLE_PREFIX: uniquePrefix() },
    dataDir: mkdtempSync(join(tmpdir(), "rj-rules-")),
    fast: true,
    devIdentity,
  });
}

describe("the local host refuses what the Functions host would refuse or misroute", () => {
  it.each([
    ["a name the host refuses", entry("1stReport", "reports"), /Function "1stReport": the name must match/],
    ["a name already taken", entry("Health", "health2"), /Function "Health": the name is already taken by "health"/],
    ["a constraint the host's router would treat differently", entry("reportByDate", "reports/{day:datetime}"), /Function "reportByDate".*constraint "datetime" is not supported/],
    ["a route that sorts after the catch-all", entry("z_report", "reports"), /Function "z_report".*shadowed by "z_notFound"/],
    ["a route that takes requests of a later function", entry("agentAny", "agent/v1/{what}"), /"agentConfig".*shadowed by "agentAny"/],
  ])("when it is asked to serve %s, then start fails naming the function", async (_what, extra, message) => {
    await expect(startLocalHost({ settings: externalSettings(false), port: 0, log: silentLogger, extraRoutes: [extra] })).rejects.toThrow(message);
  });
});

describe("the dev routes and the dev identity provider", () => {
  it("when storage is the embedded Azurite, then the dev identity provider is on by default", () => {
    expect(localHostSettings({ env: {}, dataDir: ".data", fast: false }).RJ_DEV_IDENTITY_PROVIDER).toBe(true);
    expect(localHostSettings({ env: { RJ_DEV_IDENTITY_PROVIDER: "false" }, dataDir: ".data", fast: false }).RJ_DEV_IDENTITY_PROVIDER).toBe(false);
  });

  it("when storage is anything else, then it is off unless --dev-identity is given, and the setting alone is refused", () => {
    const env = { AzureWebJobsStorage: "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=eA==;EndpointSuffix=core.windows.net" };
    expect(localHostSettings({ env, dataDir: ".data", fast: false }).RJ_DEV_IDENTITY_PROVIDER).toBe(false);
    expect(localHostSettings({ env, dataDir: ".data", fast: false, devIdentity: true }).RJ_DEV_IDENTITY_PROVIDER).toBe(true);
    expect(() => localHostSettings({ env: { ...env, RJ_DEV_IDENTITY_PROVIDER: "true" }, dataDir: ".data", fast: false })).toThrow(/RJ_DEV_IDENTITY_PROVIDER.*--dev-identity/);
  });

  it("when npm start is given --dev-identity or --help, then it takes them and --help prints every option", async () => {
    expect(parseLocalHostArgs(["--dev-identity"]).devIdentity).toBe(true);
    expect(parseLocalHostArgs([]).devIdentity).toBe(false);
    expect(existsSync(MAIN), "build first").toBe(true);
    const { stdout } = await promisify(execFile)(process.execPath, [MAIN, "--help"]);
    expect(stdout.trim()).toBe(LOCAL_HOST_USAGE);
    for (const option of ["--port", "--data", "--fresh", "--fast", "--dev-identity", "--help"]) expect(stdout).toContain(option);
  });

  describe("over HTTP", () => {
    let off: RunningLocalHost;
    let on: RunningLocalHost;
    beforeAll(async () => {
      off = await startTestHost({ env: { RJ_DEV_IDENTITY_PROVIDER: "false" } });
      on = await startTestHost();
    });
    afterAll(async () => {
      await off?.stop();
      await on?.stop();
    });

    it("when the dev identity provider is off, then the dev routes answer 404 like unknown routes", async () => {
      const keys = await fetch(`${off.url}/api/dev/idp/discovery/v2.0/keys`);
      expect(keys.status).toBe(404);
      expect(keys.headers.get("content-type")).toBe("application/problem+json");
      const escrow = await fetch(`${off.url}/api/dev/entra/bitlocker-keys`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(escrow.status).toBe(404);
    });

    it("when it is on, then the local host serves them itself", async () => {
      const keys = await fetch(`${on.url}/api/dev/idp/discovery/v2.0/keys`);
      expect(keys.status).toBe(200);
      expect(((await keys.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
    });

    it("when either host describes itself, then the OpenAPI document lists no dev route (it is the Azure app's document)", async () => {
      for (const host of [on, off]) {
        const doc = (await (await fetch(`${host.url}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
        expect(Object.keys(doc.paths).length).toBeGreaterThan(30);
        expect(Object.keys(doc.paths).filter((p) => p.startsWith("/api/dev/"))).toEqual([]);
      }
    });

    it("when a known route gets a wrong method or a path is unknown, then the catch-all answers 405 or 404 as under Azure", async () => {
      const wrong = await fetch(`${on.url}/api/dev/idp/discovery/v2.0/keys`, { method: "DELETE" });
      expect(wrong.status).toBe(405);
      const unknown = await fetch(`${on.url}/api/agent/v1/nothing`);
      expect(unknown.status).toBe(404);
    });
  });
});
