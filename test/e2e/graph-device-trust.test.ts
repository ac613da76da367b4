import { createHash, randomUUID, X509Certificate } from "node:crypto";
import type { AccessToken } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_ROLE } from "../../lib/auth/principals.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { emptyFakeGraphState, startFakeGraph, type FakeGraph, type FakeGraphState } from "../support/fake-graph.js";
import { asDevice, asUser, newDevice, operatorToken, type HostDevice } from "../support/host-identities.js";
import { startTestHost } from "../support/test-host.js";

/*
 * Graph device trust end to end: a local host whose production Graph adapter talks HTTP to a local Graph
 * (test/support/fake-graph.ts, Graph's documented shapes), a realm with deviceTrust "graph", and devices whose
 * certificate is, or is not, bound in their device object's alternativeSecurityIds.
 */

let fake: FakeGraph;
let host: RunningLocalHost;
const tenantId = randomUUID();
const userId = randomUUID();
const graphToken = (tid: string): string => `graph-token-for-${tid}`;
let directory: FakeGraphState;
let admin: string;
let user: string;

/**
 * The altSecId Entra join writes for a certificate, built here independently of the production parser:
 * base64(UTF-16LE("X509:<SHA1-TP-PUBKEY>" + SHA-1(DER) upper-case hex + base64(SHA-256(public key bits)))).
 * The dev CA's device keys are P-256: the key bits are the SPKI's last 65 bytes (the uncompressed point).
 */
function altSecIdOf(certPem: string): { type: number; identityProvider: string | null; key: string } {
  const cert = new X509Certificate(certPem);
  const thumbprint = createHash("sha1").update(cert.raw).digest("hex").toUpperCase();
  const spki = cert.publicKey.export({ type: "spki", format: "der" });
  const keyHash = createHash("sha256").update(spki.subarray(spki.length - 65)).digest("base64");
  return { type: 2, identityProvider: null, key: Buffer.from(`X509:<SHA1-TP-PUBKEY>${thumbprint}${keyHash}`, "utf16le").toString("base64") };
}

async function mint(roles: string[]): Promise<string> {
  const idp = host.services.dev?.idp;
  if (idp === undefined) throw new Error("the host runs without the dev identity provider");
  return await idp.mintAccessToken({ tenantId, oid: userId, upn: "ada@graphy.example", name: "Ada", roles, audience: host.services.audiences[0] ?? "" });
}

/** A device of the realm, registered in the fake Graph with the altSecIds given (its own certificate's by default). */
async function registered(altSecIdFrom?: HostDevice): Promise<HostDevice> {
  const device = await newDevice(host, tenantId);
  directory.devices.push({ id: randomUUID(), deviceId: device.deviceId, alternativeSecurityIds: [altSecIdOf((altSecIdFrom ?? device).certPem)] });
  return device;
}

async function expectRefused(res: Response): Promise<void> {
  const text = await res.text();
  expect(res.status, text).toBe(401);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
}

beforeAll(async () => {
  fake = await startFakeGraph();
  host = await startTestHost({
    env: { RJ_GRAPH_BASE_URL: fake.baseUrl },
    graphAccess: {
      credentialFor: (tid) => ({ getToken: async (): Promise<AccessToken> => ({ token: graphToken(tid), expiresOnTimestamp: Date.now() + 3_600_000 }) }),
      fetch: fake.fetch,
    },
  });
  directory = emptyFakeGraphState();
  directory.users.push({ id: userId, userPrincipalName: "ada@graphy.example", displayName: "Ada" });
  fake.stateByToken.set(graphToken(tenantId), directory);
  const created = await asUser(host, await operatorToken(host), `/api/operator/v1/realms/${tenantId}`, {
    method: "PUT",
    body: { name: "Graphy", deviceTrust: "graph", noGraph: false },
  });
  expect(created.status, await created.text()).toBe(201);
  admin = await mint([ADMIN_ROLE]);
  user = await mint([]);
});
afterAll(async () => {
  await host?.stop();
  await fake?.close();
});

describe("Graph device trust over HTTP", () => {
  it("when the device's certificate is in its alternativeSecurityIds, then it enrolls and polls its configuration, and Graph was asked with the realm's token", async () => {
    const device = await registered();
    const enrolled = await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token: user });
    expect(enrolled.status, await enrolled.text()).toBe(201);
    const config = await asDevice(host, device, "/api/agent/v1/config");
    expect(config.status).toBe(200);
    const asked = fake.requests.filter((r) => r.path === "/v1.0/devices" && (r.query.get("$filter") ?? "").includes(device.deviceId));
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((r) => r.authorization === `Bearer ${graphToken(tenantId)}`)).toBe(true);
    expect((await asUser(host, admin, `/api/admin/v1/devices/${device.deviceId}`)).status).toBe(200);
  });

  it("when Graph does not know the device, then enroll and polls answer 401 and nothing is enrolled", async () => {
    const stranger = await newDevice(host, tenantId);
    await expectRefused(await asDevice(host, stranger, "/api/agent/v1/enroll", { method: "POST", token: user }));
    await expectRefused(await asDevice(host, stranger, "/api/agent/v1/config"));
    expect((await asUser(host, admin, `/api/admin/v1/devices/${stranger.deviceId}`)).status).toBe(404);
  });

  it("when the device object binds another certificate (another device's certificate), then 401 and nothing is enrolled", async () => {
    const genuine = await newDevice(host, tenantId);
    const impostor = await registered(genuine);
    expect(impostor.deviceId).not.toBe(genuine.deviceId);
    await expectRefused(await asDevice(host, impostor, "/api/agent/v1/enroll", { method: "POST", token: user }));
    expect((await asUser(host, admin, `/api/admin/v1/devices/${impostor.deviceId}`)).status).toBe(404);
  });

  it("when a device's binding is removed from Graph after it enrolled, then its next poll is refused", async () => {
    const device = await registered();
    expect((await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token: user })).status).toBe(201);
    const entry = directory.devices.find((d) => d.deviceId === device.deviceId);
    if (entry === undefined) throw new Error("not registered");
    entry.alternativeSecurityIds = [];
    await expectRefused(await asDevice(host, device, "/api/agent/v1/config"));
  });
});
