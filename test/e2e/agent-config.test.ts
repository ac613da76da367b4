import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from "jose";
import canonicalize from "canonicalize";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO_TENANT_ID, DEMO_IDS, FABRIKAM_TENANT_ID } from "../../lib/directory/demo-directory.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { asDevice, assertionFor, asUser, newDevice, stateReport, userToken, type HostDevice } from "../support/host-identities.js";
import { startTestHost } from "../support/test-host.js";

let host: RunningLocalHost;

beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => {
  await host.stop();
});

async function enrolled(tenantId = CONTOSO_TENANT_ID, upn?: string): Promise<{ device: HostDevice; token: string }> {
  const device = await newDevice(host, tenantId);
  const token = await userToken(host, tenantId, upn === undefined ? {} : { upn });
  const res = await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token });
  expect(res.status).toBe(201);
  return { device, token };
}

async function verifiedConfig(res: Response, tenantId: string): Promise<Record<string, unknown>> {
  expect(res.headers.get("content-type")).toBe("application/jose");
  const jws = await res.text();
  const jwks = (await (await fetch(`${host.url}/api/agent/v1/keys?realm=${tenantId}`)).json()) as JSONWebKeySet;
  const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(jwks));
  expect(protectedHeader).toMatchObject({ alg: "PS256", typ: "rj-config+jwt" });
  return JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
}

function recomputedHash(payload: Record<string, unknown>): string {
  const { iat: _iat, hash: _hash, ...doc } = payload;
  return createHash("sha256").update(canonicalize(doc) ?? "").digest("hex");
}

describe("enrollment", () => {
  it("when a device enrolls with a user, then the user becomes primary user and enrolling again changes nothing", async () => {
    const device = await newDevice(host, CONTOSO_TENANT_ID);
    const token = await userToken(host, CONTOSO_TENANT_ID);
    const first = await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ deviceId: device.deviceId, primaryUser: DEMO_IDS.contoso.adele });
    const other = await userToken(host, CONTOSO_TENANT_ID, { upn: "megan@contoso.example" });
    const again = await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token: other });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ primaryUser: DEMO_IDS.contoso.adele });
  });

  it("when a Contoso user comes with a Fabrikam device, then 404", async () => {
    const device = await newDevice(host, FABRIKAM_TENANT_ID);
    const res = await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token: await userToken(host, CONTOSO_TENANT_ID) });
    expect(res.status).toBe(404);
  });

  it("when no credentials are sent, then 401 problem+json", async () => {
    const res = await fetch(`${host.url}/api/agent/v1/enroll`, { method: "POST" });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("the signed configuration", () => {
  it("when fetched, then it verifies against /keys with a standard JOSE library and its hash recomputes", async () => {
    const { device } = await enrolled();
    const res = await asDevice(host, device, "/api/agent/v1/config");
    expect(res.status).toBe(200);
    const payload = await verifiedConfig(res, CONTOSO_TENANT_ID);
    expect(payload).toMatchObject({ realm: CONTOSO_TENANT_ID, deviceId: device.deviceId, bitlockerEnabled: true, reportIntervalSeconds: 900 });
    expect(payload["hash"]).toBe(recomputedHash(payload));
    expect(res.headers.get("etag")).toBe(`"${String(payload["hash"])}"`);
  });

  it("when the ETag is sent back, then 304 with no body", async () => {
    const { device } = await enrolled();
    const first = await asDevice(host, device, "/api/agent/v1/config");
    const etag = first.headers.get("etag") ?? "";
    await first.arrayBuffer();
    const second = await asDevice(host, device, "/api/agent/v1/config", { headers: { "if-none-match": etag } });
    expect(second.status).toBe(304);
    expect((await second.arrayBuffer()).byteLength).toBe(0);
  });

  it("when an admin changes the device's policy, then the very next poll has a new hash and ETag", async () => {
    const { device } = await enrolled();
    const first = await asDevice(host, device, "/api/agent/v1/config");
    const etag = first.headers.get("etag") ?? "";
    await first.arrayBuffer();
    const admin = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
    const put = await asUser(host, admin, `/api/admin/v1/policies/device:${device.deviceId}`, { method: "PUT", body: { reportIntervalSeconds: 600 } });
    expect(put.status).toBe(200);
    const next = await asDevice(host, device, "/api/agent/v1/config", { headers: { "if-none-match": etag } });
    expect(next.status).toBe(200);
    expect(next.headers.get("etag")).not.toBe(etag);
    expect(await verifiedConfig(next, CONTOSO_TENANT_ID)).toMatchObject({ reportIntervalSeconds: 600 });
  });

  it("when the primary user's session asks, then makeAdmin follows the policy; in another user's session it is false", async () => {
    const { device, token } = await enrolled(FABRIKAM_TENANT_ID);
    const mine = await verifiedConfig(await asDevice(host, device, "/api/agent/v1/config", { token }), FABRIKAM_TENANT_ID);
    expect(mine["makeAdmin"]).toBe(true);
    const frank = await userToken(host, FABRIKAM_TENANT_ID, { upn: "frank@fabrikam.example" });
    const theirs = await verifiedConfig(await asDevice(host, device, "/api/agent/v1/config", { token: frank }), FABRIKAM_TENANT_ID);
    expect(theirs["makeAdmin"]).toBe(false);
  });

  it("when a config of one realm is checked against another realm's keys, then it does not verify", async () => {
    const { device } = await enrolled();
    const jws = await (await asDevice(host, device, "/api/agent/v1/config")).text();
    const fabrikamKeys = (await (await fetch(`${host.url}/api/agent/v1/keys?realm=${FABRIKAM_TENANT_ID}`)).json()) as JSONWebKeySet;
    expect(fabrikamKeys.keys.map((k) => k.kid)).not.toContain(decodeProtectedHeader(jws).kid);
    await expect(compactVerify(jws, createLocalJWKSet(fabrikamKeys))).rejects.toThrow();
  });
});

describe("state reports and Delivery Optimization", () => {
  it("when two devices report the same gateway, then they share a DO group id and a device elsewhere gets another", async () => {
    const a = await enrolled();
    const b = await enrolled();
    const c = await enrolled();
    for (const [d, fingerprint] of [[a, "hq"], [b, "hq"], [c, "branch"]] as const) {
      const res = await asDevice(host, d.device, "/api/agent/v1/state", { method: "POST", body: stateReport(1, { network: { gatewayMac: "aa-bb-cc-dd-ee-ff", fingerprint } }) });
      expect(res.status).toBe(202);
    }
    const group = async (d: { device: HostDevice }) =>
      ((await verifiedConfig(await asDevice(host, d.device, "/api/agent/v1/config"), CONTOSO_TENANT_ID))["deliveryOptimization"] as { groupId: string }).groupId;
    const [ga, gb, gc] = [await group(a), await group(b), await group(c)];
    expect(ga).toMatch(/^[0-9a-f-]{36}$/);
    expect(ga).toBe(gb);
    expect(gc).not.toBe(ga);
  });

  it("when a report repeats an old sequence, then it is acknowledged and ignored, and the answer carries the config hash", async () => {
    const { device } = await enrolled();
    const newer = await asDevice(host, device, "/api/agent/v1/state", { method: "POST", body: stateReport(5) });
    expect(newer.status).toBe(202);
    const answer = (await newer.json()) as { accepted: boolean; nextReportSeconds: number; configHash: string };
    expect(answer).toMatchObject({ accepted: true, nextReportSeconds: 900 });
    const older = await asDevice(host, device, "/api/agent/v1/state", { method: "POST", body: stateReport(4) });
    expect(await older.json()).toMatchObject({ accepted: false, configHash: answer.configHash });
    const config = await asDevice(host, device, "/api/agent/v1/config");
    expect(config.headers.get("etag")).toBe(`"${answer.configHash}"`);
  });

  it("when reports of one device arrive concurrently, then the newest sequence wins and every accepted report is kept", async () => {
    const { device } = await enrolled();
    const results = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((seq) => asDevice(host, device, "/api/agent/v1/state", { method: "POST", body: stateReport(seq) })));
    expect(results.every((r) => r.status === 202)).toBe(true);
    const accepted = (await Promise.all(results.map(async (r) => ((await r.json()) as { accepted: boolean }).accepted))).filter(Boolean).length;
    const stored = await host.services.devices.get(CONTOSO_TENANT_ID, device.deviceId);
    expect(stored?.lastSequence).toBe(8);
    expect((await host.services.devices.listReports(CONTOSO_TENANT_ID, device.deviceId)).length).toBe(accepted);
  });

  it("when the report has an unknown field (a newer agent), then it is accepted and the field is stored nowhere", async () => {
    const { device } = await enrolled();
    const res = await asDevice(host, device, "/api/agent/v1/state", { method: "POST", body: stateReport(1, { adminFlagFromTheFuture: true }) });
    expect(res.status).toBe(202);
    expect((await host.services.devices.get(CONTOSO_TENANT_ID, device.deviceId))?.lastSequence).toBe(1);
    for (const name of ["Devices", "DeviceReports"] as const) {
      for await (const row of (await host.services.tables.table(name)).listEntities()) expect(JSON.stringify(row)).not.toContain("adminFlagFromTheFuture");
    }
  });

  it("when a 2 MiB JSON body is sent, then 413", async () => {
    const { device } = await enrolled();
    const res = await asDevice(host, device, "/api/agent/v1/state", { method: "POST", body: { pad: "x".repeat(2 * 1024 * 1024) } });
    expect(res.status).toBe(413);
  });

  it("when the JSON is malformed, then 400 problem+json and nothing is stored", async () => {
    const { device } = await enrolled();
    const res = await fetch(`${host.url}/api/agent/v1/state`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-rj-device-assertion": await assertionFor(host, device) },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect((await host.services.devices.get(CONTOSO_TENANT_ID, device.deviceId))?.lastSequence).toBe(-1);
  });
});

describe("client releases", () => {
  it("when a release is published on the device's channel, then the device is offered it; otherwise 204", async () => {
    const { device } = await enrolled();
    expect((await asDevice(host, device, "/api/agent/v1/client/update")).status).toBe(204);
    const admin = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
    const release = { version: "4.3.0", url: "https://downloads.example/rj-4.3.0.msi", sha256: "a".repeat(64) };
    expect((await asUser(host, admin, "/api/admin/v1/releases/stable", { method: "PUT", body: release })).status).toBe(200);
    const offered = await asDevice(host, device, "/api/agent/v1/client/update");
    expect(await offered.json()).toMatchObject(release);
    expect((await asDevice(host, device, "/api/agent/v1/client/update?current=4.3.0")).status).toBe(204);
  });

  it("when a non-admin publishes a release, then 403", async () => {
    const user = await userToken(host, CONTOSO_TENANT_ID);
    const res = await asUser(host, user, "/api/admin/v1/releases/stable", { method: "PUT", body: { version: "1.0.0", url: "https://x.example/a", sha256: "b".repeat(64) } });
    expect(res.status).toBe(403);
  });
});
