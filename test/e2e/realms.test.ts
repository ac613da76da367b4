import { randomUUID } from "node:crypto";
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO_TENANT_ID } from "../../lib/directory/demo-directory.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { asDevice, asUser, newDevice, operatorToken, userToken } from "../support/host-identities.js";
import { startTestHost } from "../support/test-host.js";

let host: RunningLocalHost;
let operator: string;

beforeAll(async () => {
  host = await startTestHost();
  operator = await operatorToken(host);
});
afterAll(async () => {
  await host.stop();
});

const realmsPath = "/api/operator/v1/realms";

function caPem(): string {
  const pem = host.services.dev?.ca.caPem();
  if (pem === undefined) throw new Error("the host runs without the dev device CA");
  return pem;
}

async function createRealm(tenantId = randomUUID(), body: Record<string, unknown> = {}): Promise<string> {
  const res = await asUser(host, operator, `${realmsPath}/${tenantId}`, {
    method: "PUT",
    body: { name: "Northwind Traders", deviceTrust: "device-ca", deviceCaPem: caPem(), noGraph: true, ...body },
  });
  expect(res.status).toBe(201);
  return tenantId;
}

async function jwksOf(tenantId: string): Promise<JSONWebKeySet> {
  return (await (await fetch(`${host.url}/api/agent/v1/keys?realm=${tenantId}`)).json()) as JSONWebKeySet;
}

async function problemOf(res: Response): Promise<{ status: number; type: string }> {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  return { ...((await res.json()) as { type: string }), status: res.status };
}

const REALM_DISABLED = "https://realmjoin.example/problems/realm-disabled";

describe("the operator API", () => {
  it("when an operator puts a new realm and then the same again, then 201 then 200, and show has the record and counts", async () => {
    const tenantId = randomUUID();
    await createRealm(tenantId);
    const again = await asUser(host, operator, `${realmsPath}/${tenantId}`, { method: "PUT", body: { name: "Northwind", deviceTrust: "pinned", noGraph: true } });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ tenantId, name: "Northwind", deviceTrust: "pinned", status: "active" });
    const shown = await asUser(host, operator, `${realmsPath}/${tenantId}`);
    expect(shown.status).toBe(200);
    expect(await shown.json()).toMatchObject({ tenantId, name: "Northwind", counts: { devices: 0, policies: 1 } });
    const list = (await (await asUser(host, operator, realmsPath)).json()) as { realms: { tenantId: string }[] };
    expect(list.realms.map((r) => r.tenantId)).toEqual(expect.arrayContaining([tenantId, CONTOSO_TENANT_ID]));
  });

  it("when a customer admin or a plain user calls an operator route, then 403; without a token 401", async () => {
    const admin = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
    expect((await asUser(host, admin, realmsPath)).status).toBe(403);
    expect((await asUser(host, admin, `${realmsPath}/${CONTOSO_TENANT_ID}`)).status).toBe(403);
    expect((await asUser(host, admin, `${realmsPath}/${randomUUID()}`, { method: "PUT", body: { name: "x", deviceTrust: "pinned", noGraph: true } })).status).toBe(403);
    expect((await asUser(host, await userToken(host, CONTOSO_TENANT_ID), `${realmsPath}/${CONTOSO_TENANT_ID}/disable`, { method: "POST" })).status).toBe(403);
    expect((await fetch(`${host.url}${realmsPath}`)).status).toBe(401);
  });

  it("when an operator's token is used on admin or agent routes, then it is refused and reads nothing", async () => {
    const admin = await asUser(host, operator, "/api/admin/v1/policies");
    expect([401, 403]).toContain(admin.status);
    const device = await newDevice(host, CONTOSO_TENANT_ID);
    // 404 (realms differ) until the authenticator passes the requirement to the validator; then 401.
    expect([401, 404]).toContain((await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token: operator })).status);
  });

  it("when the tenant id or body is malformed, then 400 problem+json", async () => {
    expect((await asUser(host, operator, `${realmsPath}/contoso`)).status).toBe(400);
    const bad = await asUser(host, operator, `${realmsPath}/${randomUUID()}`, { method: "PUT", body: { name: "x", deviceTrust: "device-ca", noGraph: true } });
    expect((await problemOf(bad)).status).toBe(400);
  });

  it("when an unknown realm is shown or disabled, then 404", async () => {
    expect((await asUser(host, operator, `${realmsPath}/${randomUUID()}`)).status).toBe(404);
    expect((await asUser(host, operator, `${realmsPath}/${randomUUID()}/disable`, { method: "POST" })).status).toBe(404);
  });
});

describe("a realm taken on through the operator API", () => {
  it("when its device enrolls, then its config is signed by its own key and does not verify with another realm's keys", async () => {
    const tenantId = await createRealm();
    const device = await newDevice(host, tenantId);
    const enroll = await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token: await userToken(host, tenantId) });
    expect(enroll.status).toBe(201);
    const config = await asDevice(host, device, "/api/agent/v1/config");
    expect(config.status).toBe(200);
    const jws = await config.text();
    const { payload } = await compactVerify(jws, createLocalJWKSet(await jwksOf(tenantId)));
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({ realm: tenantId, deviceId: device.deviceId, noGraph: true });
    await expect(compactVerify(jws, createLocalJWKSet(await jwksOf(CONTOSO_TENANT_ID)))).rejects.toThrow();
    const shown = (await (await asUser(host, operator, `${realmsPath}/${tenantId}`)).json()) as { counts: unknown };
    expect(shown.counts).toEqual({ devices: 1, policies: 1 });
  });

  it("when it is disabled, then the very next agent and admin requests get 403 realm-disabled; enabled again, they pass", async () => {
    const tenantId = await createRealm();
    const device = await newDevice(host, tenantId);
    expect((await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token: await userToken(host, tenantId) })).status).toBe(201);
    const admin = await userToken(host, tenantId, { admin: true });

    expect((await asUser(host, operator, `${realmsPath}/${tenantId}/disable`, { method: "POST" })).status).toBe(200);
    const agent = await problemOf(await asDevice(host, device, "/api/agent/v1/config"));
    expect(agent).toMatchObject({ status: 403, type: REALM_DISABLED });
    expect(await problemOf(await asUser(host, admin, "/api/admin/v1/policies"))).toMatchObject({ status: 403, type: REALM_DISABLED });

    expect((await asUser(host, operator, `${realmsPath}/${tenantId}/enable`, { method: "POST" })).status).toBe(200);
    expect((await asDevice(host, device, "/api/agent/v1/config")).status).toBe(200);
    expect((await asUser(host, admin, "/api/admin/v1/policies")).status).toBe(200);
  });

  it("when it is deleted, then it answers as unknown at once (401 for its tokens, 404 for its keys) and the operator sees when it will be purged", async () => {
    const tenantId = await createRealm();
    const device = await newDevice(host, tenantId);
    expect((await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token: await userToken(host, tenantId) })).status).toBe(201);
    const admin = await userToken(host, tenantId, { admin: true });

    expect((await asUser(host, operator, `${realmsPath}/${tenantId}`, { method: "DELETE" })).status).toBe(204);
    expect((await asDevice(host, device, "/api/agent/v1/config")).status).toBe(401);
    expect((await asUser(host, admin, "/api/admin/v1/policies")).status).toBe(401);
    expect((await fetch(`${host.url}/api/agent/v1/keys?realm=${tenantId}`)).status).toBe(404);
    const shown = (await (await asUser(host, operator, `${realmsPath}/${tenantId}`)).json()) as Record<string, string>;
    expect(shown["status"]).toBe("deleted");
    expect(Date.parse(shown["purgeAfter"] ?? "") - Date.parse(shown["deletedAt"] ?? "")).toBe(host.services.settings.RJ_RETENTION_DAYS * 86_400_000);
    expect((await asUser(host, operator, `${realmsPath}/${tenantId}/enable`, { method: "POST" })).status).toBe(404);
    expect((await asUser(host, operator, `${realmsPath}/${tenantId}`, { method: "PUT", body: { name: "x", deviceTrust: "pinned", noGraph: true } })).status).toBe(409);
  });
});

describe("the realm's BranchCache passphrase", () => {
  it("when a realm is created, then it already has a passphrase, kept wrapped", async () => {
    const tenantId = await createRealm();
    const admin = await userToken(host, tenantId, { admin: true });
    const status = (await (await asUser(host, admin, "/api/admin/v1/branchcache")).json()) as { set: boolean; changedAt: string };
    expect(status.set).toBe(true);
    expect(await host.services.branchCache.get(tenantId)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("when an admin sets one, then the answer never echoes it, GET tells when it changed, and the content code reads it", async () => {
    const tenantId = await createRealm();
    const admin = await userToken(host, tenantId, { admin: true });
    const passphrase = `realm passphrase ${randomUUID()}`;
    const put = await asUser(host, admin, "/api/admin/v1/branchcache", { method: "PUT", body: { passphrase } });
    expect(put.status).toBe(200);
    const text = await put.text();
    expect(text).not.toContain(passphrase);
    expect(JSON.parse(text)).toMatchObject({ set: true });
    const got = await (await asUser(host, admin, "/api/admin/v1/branchcache")).text();
    expect(got).not.toContain(passphrase);
    expect(JSON.parse(got)).toEqual(JSON.parse(text));
    expect(await host.services.branchCache.get(tenantId)).toBe(passphrase);
    expect(await host.services.branchCache.get(CONTOSO_TENANT_ID)).not.toBe(passphrase);
  });

  it("when the passphrase is too short or the caller is no admin, then 400 or 403 and nothing changes", async () => {
    const tenantId = await createRealm();
    const before = await host.services.branchCache.get(tenantId);
    const admin = await userToken(host, tenantId, { admin: true });
    const short = await asUser(host, admin, "/api/admin/v1/branchcache", { method: "PUT", body: { passphrase: "short" } });
    expect((await problemOf(short)).status).toBe(400);
    const user = await userToken(host, tenantId);
    expect((await asUser(host, user, "/api/admin/v1/branchcache", { method: "PUT", body: { passphrase: "a long enough passphrase" } })).status).toBe(403);
    expect(await host.services.branchCache.get(tenantId)).toBe(before);
  });
});
