import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { createLocalJWKSet, compactVerify, type JSONWebKeySet } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { currentServices } from "../../lib/app/container.js";
import type { AppServices } from "../../lib/app/services.js";
import { createDeviceAssertion } from "../../lib/auth/device-assertion-client.js";
import { DevDeviceCa } from "../../lib/auth/dev-device-ca.js";
import { DevIdentityProvider } from "../../lib/auth/dev-identity-provider.js";
import { ADMIN_ROLE, OPERATOR_ROLE } from "../../lib/auth/principals.js";
import { configureAzureHost } from "../../lib/azure-host/settings-guard.js";
import type { LocalDurableRuntime } from "../../lib/durable/local-runtime.js";
import { StorageSharedKeyCredential } from "@azure/storage-blob";
import { startAzurite, AZURITE_ACCOUNT, AZURITE_KEY, type RunningAzurite } from "../../lib/localhost/azurite-process.js";
import { startDurableHost } from "../../lib/localhost/durable-host.js";
import { freePort } from "../../lib/localhost/free-port.js";
import { startHttpHost } from "../../lib/localhost/http-host.js";
import { registry } from "../../lib/registry/index.js";
import { routerFor } from "../../lib/registry/not-found.js";
import { APP_CONTAINERS } from "../../lib/storage/storage-names.js";
import { silentLogger } from "../../lib/telemetry/logger.js";
import { TestAgent, type AgentTransport } from "../integration/onboarding/onboarding-driver.js";
import { selfSignedCertificate } from "../support/fake-key-vault.js";
import { buildNupkg } from "../support/nupkg-builder.js";
import { trustTestCa } from "../support/trust-test-ca.js";

/*
 * A fresh deployment, composed exactly as the Functions host composes it (configureAzureHost, the function
 * lib/azure-host/register.ts calls at load), with the settings Azure gives: identity-based storage
 * (AzureWebJobsStorage__accountName/__credential/__clientId) reached with a managed-identity token. Storage is
 * a new, empty Azurite with OAuth on (which needs HTTPS: a self-signed certificate made here and trusted by this
 * process), its endpoints given by AzureWebJobsStorage__blobServiceUri/__tableServiceUri as the Functions host
 * documents for emulators and sovereign clouds. The token comes from a local endpoint answering the App Service
 * managed-identity protocol (IDENTITY_ENDPOINT/IDENTITY_HEADER, set by the platform, read by @azure/identity).
 *
 * What differs from Azure, honestly: orchestrations run in the local durable runtime (lib/localhost/durable-host.ts)
 * over the same storage, because the Durable extension is part of the Functions host; requests reach the registry's
 * handlers over node:http rather than through the host; signing keys are PEM files (RJ_KEY_VAULT_URL unset: the
 * Key Vault path has its own test against a fake vault); tokens come from a dev identity provider served here;
 * read SAS URLs are signed with Azurite's account key, not a user-delegation key (see beforeAll: an emulator gap).
 * Nothing prepares storage: no tables, no containers exist before the first request.
 */

const CLIENT_ID = "6f1c1a4e-8a0b-4f65-9c3d-2b1e0f7a9d10";
const OPERATOR_TENANT = "0e3b5d7f-1111-4a2b-8c3d-4e5f60718293";
const REALM = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const AUDIENCE = "api://realmjoin-backend";
const IDENTITY_HEADER = "identity-header-of-the-platform";

let dir = "";
let azurite: RunningAzurite;
let identityEndpoint: Server;
let issuer: Server;
let api: Server;
let runtime: LocalDurableRuntime;
let services: AppServices;
let baseUrl = "";
let idp: DevIdentityProvider;
let ca: DevDeviceCa;
let untrust: () => void = () => undefined;
const tokenRequests: string[] = [];

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

function close(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (server === undefined) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** A storage token as Entra issues one to a managed identity; Azurite's "basic" OAuth checks issuer, audience and lifetime. */
function storageToken(): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const claims = { aud: "https://storage.azure.com", iss: `https://sts.windows.net/${OPERATOR_TENANT}/`, iat: now, nbf: now, exp: now + 3600, oid: CLIENT_ID, tid: OPERATOR_TENANT, appid: CLIENT_ID };
  return `${part({ typ: "JWT", alg: "RS256" })}.${part(claims)}.${Buffer.from("not-verified-by-basic-oauth").toString("base64url")}`;
}

/** The App Service managed-identity endpoint (api-version 2019-08-01): GET ?resource=&client_id= with X-IDENTITY-HEADER. */
function startIdentityEndpoint(): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    tokenRequests.push(`${url.searchParams.get("resource") ?? ""} ${url.searchParams.get("client_id") ?? ""}`);
    if (req.headers["x-identity-header"] !== IDENTITY_HEADER) {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "unauthorized" }));
      return;
    }
    const expiresOn = Math.floor(Date.now() / 1000) + 3600;
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({ access_token: storageToken(), expires_on: String(expiresOn), resource: url.searchParams.get("resource"), token_type: "Bearer", client_id: CLIENT_ID }),
    );
  });
}

/** Entra's discovery document and keys for the dev identity provider's tokens. */
function startIssuer(): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const discovery = /^\/([0-9a-f-]{36})\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    const body = discovery ? idp.openIdConfiguration(discovery[1] ?? "") : path === "/discovery/v2.0/keys" ? idp.jwks() : undefined;
    res.writeHead(body === undefined ? 404 : 200, { "content-type": "application/json" }).end(JSON.stringify(body ?? {}));
  });
}

async function userToken(tenantId: string, roles: string[]): Promise<string> {
  return await idp.mintAccessToken({ tenantId, oid: randomUUID(), upn: `someone@${tenantId.slice(0, 8)}.example`, name: "Someone", roles, audience: AUDIENCE });
}

async function call(path: string, init: { method?: string; token?: string; assertion?: string; json?: unknown; bytes?: Uint8Array } = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers["authorization"] = `Bearer ${init.token}`;
  if (init.assertion !== undefined) headers["x-rj-device-assertion"] = init.assertion;
  if (init.json !== undefined) headers["content-type"] = "application/json";
  if (init.bytes !== undefined) headers["content-type"] = "application/octet-stream";
  const body = init.json !== undefined ? JSON.stringify(init.json) : init.bytes;
  return await fetch(`${baseUrl}${path}`, { method: init.method ?? "GET", headers, redirect: "manual", ...(body === undefined ? {} : { body }) });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rj-azure-"));
  const tls = await selfSignedCertificate();
  writeFileSync(join(dir, "cert.pem"), tls.certPem);
  writeFileSync(join(dir, "key.pem"), tls.keyPem);
  untrust = trustTestCa(tls.certPem);
  azurite = await startAzurite({ oauthTls: { certPath: join(dir, "cert.pem"), keyPath: join(dir, "key.pem") } });

  identityEndpoint = startIdentityEndpoint();
  const identityPort = await listen(identityEndpoint);
  // Set by the platform on every App Service / Functions instance; @azure/identity reads them.
  vi.stubEnv("IDENTITY_ENDPOINT", `http://127.0.0.1:${identityPort}/msi/token`);
  vi.stubEnv("IDENTITY_HEADER", IDENTITY_HEADER);

  issuer = startIssuer();
  const issuerBase = `http://127.0.0.1:${await listen(issuer)}`;
  idp = await DevIdentityProvider.open({ dataDir: join(dir, "issuer"), issuerBase });
  ca = await DevDeviceCa.open({ dataDir: join(dir, "issuer") });

  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const appSettings = {
    AzureWebJobsStorage__accountName: AZURITE_ACCOUNT,
    AzureWebJobsStorage__credential: "managedidentity",
    AzureWebJobsStorage__clientId: CLIENT_ID,
    AzureWebJobsStorage__blobServiceUri: `https://127.0.0.1:${azurite.ports.blob}/${AZURITE_ACCOUNT}`,
    AzureWebJobsStorage__tableServiceUri: `https://127.0.0.1:${azurite.ports.table}/${AZURITE_ACCOUNT}`,
    RJ_MANAGED_IDENTITY_CLIENT_ID: CLIENT_ID,
    RJ_AUDIENCES: AUDIENCE,
    RJ_OPERATOR_TENANT_ID: OPERATOR_TENANT,
    RJ_ENTRA_AUTHORITY: issuerBase,
    RJ_ENTRA_V1_ISSUER_BASE: `${issuerBase}/sts`,
    RJ_GRAPH_APP_CLIENT_ID: "",
    RJ_DEV_IDENTITY_PROVIDER: "false",
    RJ_PUBLIC_BASE_URL: baseUrl,
    RJ_DATA_DIR: join(dir, "data"),
    RJ_TIME_SCALE: "60",
    RJ_RECONCILE_SCHEDULE: "0 */15 * * * *",
  };
  const check = configureAzureHost(appSettings, silentLogger);
  if (!check.ok) throw check.error;
  services = await currentServices();
  // Azurite 3.35 knows blob service versions up to 2025-11-05, while @azure/storage-blob 12.32 signs
  // user-delegation SAS for 2026-04-06, whose string-to-sign Azurite computes differently (it answers 403).
  // So read SAS here is signed with Azurite's published account key; everything else stays identity-based.
  services.sasKeys = () => Promise.resolve({ sharedKey: new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY) });
  runtime = await startDurableHost(services, registry);
  api = await startHttpHost({ port, router: routerFor(registry.http.filter((e) => e.name !== "notFound")), services });
}, 120_000);

afterAll(async () => {
  await close(api);
  await runtime?.stop();
  await Promise.all([close(identityEndpoint), close(issuer)]);
  await azurite?.stop();
  untrust();
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

async function containerNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const c of services.blobs.listContainers()) names.push(c.name);
  return names.sort();
}

describe("a fresh Azure deployment composed the Functions host's way, on empty storage", () => {
  it("when composed, then storage was reached with the managed identity's token, and no container exists yet", async () => {
    expect(tokenRequests.some((r) => r.startsWith("https://storage.azure.com") && r.endsWith(CLIENT_ID))).toBe(true);
    expect(await containerNames()).toEqual([]);
    const health = await call("/api/health");
    expect(health.status).toBe(200);
  });

  it("when the operator adds a realm with graph trust on a deployment without a Graph app, then it is 400 graph-not-configured and nothing is stored", async () => {
    const operator = await userToken(OPERATOR_TENANT, [OPERATOR_ROLE]);
    const res = await call(`/api/operator/v1/realms/${REALM}`, { method: "PUT", token: operator, json: { name: "Contoso", deviceTrust: "graph", noGraph: false } });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(((await res.json()) as { type: string }).type).toMatch(/\/graph-not-configured$/);
    expect(await services.realms.get(REALM)).toBeUndefined();
  });

  it("when the operator adds a realm without naming a trust, then it gets pinned; with a device CA, device-ca", async () => {
    const operator = await userToken(OPERATOR_TENANT, [OPERATOR_ROLE]);
    const other = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d";
    const pinned = await call(`/api/operator/v1/realms/${other}`, { method: "PUT", token: operator, json: { name: "Fabrikam", noGraph: false } });
    expect(pinned.status).toBe(201);
    expect(await pinned.json()).toMatchObject({ deviceTrust: "pinned" });
    const res = await call(`/api/operator/v1/realms/${REALM}`, { method: "PUT", token: operator, json: { name: "Contoso", noGraph: false, deviceCaPem: ca.caPem() } });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ deviceTrust: "device-ca" });
  });

  it("when an admin publishes a package and requires it, a device enrolls and runs its initial run, then the run succeeds with that install", async () => {
    const admin = await userToken(REALM, [ADMIN_ROLE]);
    const published = await call("/api/admin/v1/packages", { method: "PUT", token: admin, bytes: buildNupkg({ id: "Contoso.Printer", version: "1.0.0", description: "Printer setup" }) });
    expect(published.status, await published.clone().text()).toBe(201);
    // Containers appear on first use: the package's own and its content information (state-report details come later, if ever).
    expect(await containerNames()).toEqual(APP_CONTAINERS.filter((c) => c === "packages" || c === "content-info").sort());
    const assigned = await call("/api/admin/v1/assignments/printer-all", { method: "PUT", token: admin, json: { packageId: "Contoso.Printer", target: { type: "all" }, intent: "required" } });
    expect([200, 201]).toContain(assigned.status);

    const deviceId = randomUUID();
    const issued = await ca.issueDeviceCertificate(deviceId, { generate: "ES256" });
    const keyPem = issued.keyPem ?? "";
    const assertion = () => createDeviceAssertion({ keyPem, certPem: issued.certPem, tenantId: REALM, deviceId, audience: AUDIENCE, alg: "ES256" });
    const user = await userToken(REALM, []);
    const enrolled = await call("/api/agent/v1/enroll", { method: "POST", assertion: await assertion(), token: user });
    expect(enrolled.status, await enrolled.clone().text()).toBe(201);

    const manifest = await call("/api/agent/v1/packages", { assertion: await assertion() });
    expect(manifest.status).toBe(200);
    const jwks = (await (await call(`/api/agent/v1/keys?realm=${REALM}`)).json()) as JSONWebKeySet;
    const { payload } = await compactVerify(await manifest.text(), createLocalJWKSet(jwks));
    const packages = (JSON.parse(new TextDecoder().decode(payload)) as { packages: { id: string; downloadUrl: string }[] }).packages;
    expect(packages.map((p) => p.id)).toEqual(["Contoso.Printer"]);
    const download = await fetch(packages[0]?.downloadUrl ?? "", { headers: { "x-rj-device-assertion": await assertion() }, redirect: "manual" });
    expect(download.status).toBe(302);
    const blob = await fetch(download.headers.get("location") ?? "");
    expect(blob.status).toBe(200);
    expect((await blob.arrayBuffer()).byteLength).toBeGreaterThan(0);

    const transport: AgentTransport = {
      deviceId,
      tenantId: REALM,
      asDevice: async (path, init = {}) =>
        await call(path, {
          method: init.method ?? "GET",
          assertion: await assertion(),
          ...(init.user === true ? { token: user } : {}),
          ...(init.body === undefined ? {} : { json: init.body }),
        }),
      anonymous: async (path, init) => await call(path, { method: init.method, json: init.body }),
    };
    const agent = new TestAgent(transport, { notJoined: true, pollMs: 50 });
    await agent.report();
    const run = await agent.run();
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    expect(agent.steps.some((s) => s.kind === "install" && s.packageId === "Contoso.Printer")).toBe(true);
  });
});
