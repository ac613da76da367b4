import type { JSONWebKeySet } from "jose";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RealmRole } from "../../lib/auth/principals.js";
import { CONTOSO_TENANT_ID } from "../../lib/directory/demo-directory.js";
import { describeEndpoint } from "../../lib/http/endpoint.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { registry } from "../../lib/registry/index.js";
import { verifySignedDocument } from "../../lib/simulator/signed-document.js";
import { asDevice, asUser, newDevice, operatorToken, userToken, type HostDevice } from "../support/host-identities.js";
import { startTestHost } from "../support/test-host.js";

let host: RunningLocalHost;
const tokens = new Map<RealmRole | "none", string>();

beforeAll(async () => {
  host = await startTestHost({ env: { RJ_RECONCILE_SCHEDULE: "0 0 0 30 2 *" } });
  tokens.set("none", await userToken(host, CONTOSO_TENANT_ID));
  for (const role of ["reader", "helpdesk", "admin"] as const) tokens.set(role, await userToken(host, CONTOSO_TENANT_ID, { role }));
});
afterAll(async () => {
  await host.stop();
});

function token(role: RealmRole | "none"): string {
  const t = tokens.get(role);
  if (t === undefined) throw new Error(role);
  return t;
}

async function enrolled(): Promise<HostDevice> {
  const device = await newDevice(host, CONTOSO_TENANT_ID);
  const res = await asDevice(host, device, "/api/agent/v1/enroll", { method: "POST", token: await userToken(host, CONTOSO_TENANT_ID) });
  expect(res.status).toBe(201);
  return device;
}

interface AuditEntryView {
  id: string;
  actor: { id: string; upn: string | null; role: string | null };
  action: string;
  target: string;
  summary: string;
  outcome: string;
  status: number;
  requestId: string;
}

async function audit(query: string, role: RealmRole = "reader"): Promise<{ entries: AuditEntryView[]; continuationToken: string | null }> {
  const res = await asUser(host, token(role), `/api/admin/v1/audit?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { entries: AuditEntryView[]; continuationToken: string | null };
}

/**
 * The minimal realm role of every admin route. A route added to the registry without a row here fails the
 * test, so nobody adds an admin route without deciding who may call it.
 */
const MINIMAL_ROLE: Record<string, RealmRole> = {
  adminPutBranchCache: "admin",
  adminGetBranchCache: "reader",
  adminPutPolicy: "admin",
  adminGetPolicy: "reader",
  adminDeletePolicy: "admin",
  adminListPolicies: "reader",
  adminPutRelease: "admin",
  adminGetRelease: "reader",
  adminPutPrimaryUser: "helpdesk",
  adminListDevices: "reader",
  adminGetDevice: "reader",
  adminRetireDevice: "helpdesk",
  adminSyncDevice: "helpdesk",
  adminListAudit: "reader",
  adminPutPackage: "admin",
  adminImportLegacyPackage: "admin",
  adminListPackages: "reader",
  adminGetPackage: "reader",
  adminDeletePackage: "admin",
  adminPutAssignment: "admin",
  adminGetAssignment: "reader",
  adminDeleteAssignment: "admin",
  adminListAssignments: "reader",
  adminExplainPackage: "reader",
  adminPutSignatureTemplate: "admin",
  adminListSignatureTemplates: "reader",
  adminDeleteSignatureTemplate: "admin",
  adminOnboardingRollout: "reader",
  adminOnboardingRetry: "helpdesk",
  adminOnboardingRetryStep: "helpdesk",
  adminDeviceRecoveryKeys: "helpdesk",
  adminReconcile: "admin",
  adminDirectoryPutUser: "admin",
  adminDirectoryListUsers: "reader",
  adminDirectoryGetUser: "reader",
  adminDirectoryDeleteUser: "admin",
  adminDirectoryPutGroup: "admin",
  adminDirectoryListGroups: "reader",
  adminDirectoryGetGroup: "reader",
  adminDirectoryDeleteGroup: "admin",
  adminDirectoryImport: "admin",
  adminPreRegisterDevice: "admin",
  adminClearDevicePin: "helpdesk",
  adminCreateUpload: "admin",
  adminGetUpload: "reader",
  adminPublishUpload: "admin",
  adminFindUndeliverablePackages: "reader",
};
const ORDER = ["none", "reader", "helpdesk", "admin"] as const;

describe("roles", () => {
  const adminRoutes = registry.http.filter((e) => e.area === "admin");

  it("when the registry lists admin routes, then each has a row in the matrix and declares exactly that role", () => {
    for (const entry of adminRoutes) {
      expect(MINIMAL_ROLE[entry.name], `no matrix row for ${entry.name}`).toBeDefined();
      expect(describeEndpoint(entry.handler)?.auth, entry.name).toBe(MINIMAL_ROLE[entry.name]);
    }
  });

  it("when every role calls every admin route, then roles below the route's answer 403 and the others get past authorisation", { timeout: 240_000 }, async () => {
    const failures: string[] = [];
    for (const entry of adminRoutes) {
      const needed = MINIMAL_ROLE[entry.name] ?? "admin";
      const path = "/api/" + entry.route.replace(/\{[^}]+\}/g, () => randomUUID());
      for (const method of entry.methods) {
        for (const role of ORDER) {
          const body = method === "GET" || method === "HEAD" ? undefined : {};
          const res = await asUser(host, token(role), path, { method, ...(body === undefined ? {} : { body }) });
          await res.arrayBuffer();
          const allowed = ORDER.indexOf(role) >= ORDER.indexOf(needed);
          if (allowed ? res.status === 401 || res.status === 403 : res.status !== 403) failures.push(`${role} ${method} ${entry.name}: ${res.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("when the OpenAPI document is read, then every admin operation names its required app role", async () => {
    const doc = (await (await fetch(`${host.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { "x-required-role"?: string; operationId: string }>> };
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p));
    const retire = ops.find((o) => o.operationId === "adminRetireDevice");
    expect(retire?.["x-required-role"]).toBe("RealmJoin.Helpdesk");
    expect(ops.find((o) => o.operationId === "adminListAudit")?.["x-required-role"]).toBe("RealmJoin.Reader");
  });
});

describe("audit log", () => {
  it("when an admin changes things and helpdesk reads recovery keys, then each is in the audit with who, what and the request id, and no secret", async () => {
    const device = await enrolled();
    const passphrase = "a-secret-passphrase-" + randomUUID();
    const put = await asUser(host, token("admin"), "/api/admin/v1/branchcache", { method: "PUT", body: { passphrase } });
    expect(put.status).toBe(200);
    const policy = await asUser(host, token("admin"), "/api/admin/v1/policies/realm", { method: "PUT", body: { makeAdmin: true } });
    expect(policy.status).toBe(200);
    const keys = await asUser(host, token("helpdesk"), `/api/admin/v1/devices/${device.deviceId}/recovery-keys`);
    expect(keys.status).toBe(200);

    const all = await audit("pageSize=200");
    const branch = all.entries.find((e) => e.action === "adminPutBranchCache");
    expect(branch).toMatchObject({ target: "branchcache", outcome: "success", status: 200, actor: { role: "admin" } });
    expect(branch?.requestId).toBe(put.headers.get("x-request-id"));
    expect(JSON.stringify(all)).not.toContain(passphrase);
    expect(all.entries.find((e) => e.action === "adminPutPolicy")).toMatchObject({ target: "realm", summary: "policy set: makeAdmin" });
    const read = await audit(`target=${device.deviceId}`);
    expect(read.entries.map((e) => e.action)).toContain("adminDeviceRecoveryKeys");
    expect(read.entries.find((e) => e.action === "adminDeviceRecoveryKeys")?.actor.role).toBe("helpdesk");
  });

  it("when a reader tries a helpdesk action, then the refusal is audited with the reader's identity", async () => {
    const device = await enrolled();
    const res = await asUser(host, token("reader"), `/api/admin/v1/devices/${device.deviceId}/sync`, { method: "POST" });
    expect(res.status).toBe(403);
    const denied = await audit(`target=${device.deviceId}`);
    expect(denied.entries).toEqual([expect.objectContaining({ action: "adminSyncDevice", outcome: "denied", status: 403, actor: expect.objectContaining({ role: "reader" }) })]);
  });

  it("when the audit is paged and filtered by actor and time, then pages chain by opaque tokens and a forged token answers 400", async () => {
    const device = await enrolled();
    for (let i = 0; i < 3; i++) expect((await asUser(host, token("helpdesk"), `/api/admin/v1/devices/${device.deviceId}/sync`, { method: "POST" })).status).toBe(202);
    const first = await audit(`target=${device.deviceId}&pageSize=2`);
    expect(first.entries).toHaveLength(2);
    expect(first.continuationToken).not.toBeNull();
    const second = await audit(`target=${device.deviceId}&pageSize=2&continuationToken=${first.continuationToken ?? ""}`);
    expect(second.entries).toHaveLength(1);
    expect(new Set([...first.entries, ...second.entries].map((e) => e.id)).size).toBe(3);

    const helpdeskUpn = first.entries[0]?.actor.upn ?? "";
    expect((await audit(`actor=${encodeURIComponent(helpdeskUpn)}&target=${device.deviceId}`)).entries).toHaveLength(3);
    expect((await audit(`actor=${randomUUID()}&target=${device.deviceId}`)).entries).toHaveLength(0);
    const future = (hours: number) => encodeURIComponent(new Date(Date.now() + hours * 3_600_000).toISOString());
    expect((await audit(`from=${future(1)}&to=${future(2)}&target=${device.deviceId}`)).entries).toHaveLength(0);
    expect((await audit(`from=${future(-1)}&to=${future(1)}&target=${device.deviceId}`)).entries).toHaveLength(3);
    expect((await asUser(host, token("reader"), `/api/admin/v1/audit?from=${future(2)}&to=${future(1)}`)).status).toBe(400);

    for (const bad of ["abc", Buffer.from('{"v":1,"after":"x"}').toString("base64url"), "%00"]) {
      const res = await asUser(host, token("reader"), `/api/admin/v1/audit?continuationToken=${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }
  });

  it("when audit entries are older than 90 days, then a reconciliation pass deletes them and keeps the rest", async () => {
    const realm = { kind: "realm" as const, realmId: CONTOSO_TENANT_ID };
    const before = (await audit("pageSize=200")).entries.length;
    const old = new Date(Date.now() - 91 * 86_400_000);
    const deleted = await host.services.audit.purgeOlderThan(realm, old, 1000);
    expect(deleted).toBe(0);
    const purged = await host.services.audit.purgeOlderThan(realm, new Date(Date.now() + 1000), 1);
    expect(purged).toBe(1);
    expect((await audit("pageSize=200")).entries.length).toBe(before - 1);
  });
});

describe("device actions", () => {
  it("when helpdesk retires a device, then it leaves the list, every agent call answers device-retired, and its audit stays", async () => {
    const device = await enrolled();
    const res = await asUser(host, token("helpdesk"), `/api/admin/v1/devices/${device.deviceId}/retire`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ deviceId: device.deviceId });

    const list = (await (await asUser(host, token("reader"), "/api/admin/v1/devices?pageSize=500")).json()) as { devices: { deviceId: string }[] };
    expect(list.devices.map((d) => d.deviceId)).not.toContain(device.deviceId);
    for (const [method, path] of [
      ["GET", "/api/agent/v1/config"],
      ["GET", "/api/agent/v1/packages"],
      ["POST", "/api/agent/v1/enroll"],
    ] as const) {
      const refused = await asDevice(host, device, path, { method, token: await userToken(host, CONTOSO_TENANT_ID) });
      expect(refused.status, path).toBe(403);
      expect(((await refused.json()) as { type: string }).type).toContain("device-retired");
    }
    expect((await asUser(host, token("helpdesk"), `/api/admin/v1/devices/${device.deviceId}/retire`, { method: "POST" })).status).toBe(200);
    expect((await audit(`target=${device.deviceId}`)).entries.some((e) => e.action === "adminRetireDevice")).toBe(true);
  });

  it("when helpdesk asks a device to sync, then its next configuration carries syncNow once", async () => {
    const device = await enrolled();
    const sync = await asUser(host, token("helpdesk"), `/api/admin/v1/devices/${device.deviceId}/sync`, { method: "POST" });
    expect(sync.status).toBe(202);
    const { syncRequestedAt } = (await sync.json()) as { syncRequestedAt: string };
    const payload = async (): Promise<Record<string, unknown>> => {
      const res = await asDevice(host, device, "/api/agent/v1/config");
      expect(res.status).toBe(200);
      const jws = await res.text();
      return JSON.parse(Buffer.from(jws.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
    };
    expect((await payload())["syncNow"]).toEqual({ requestedAt: syncRequestedAt });
    expect((await payload())["syncNow"]).toBeUndefined();
  });
});

describe("signing-key rotation", () => {
  it("when an operator rotates a realm's key, then agents verify the document signed before and the one signed after against GET /keys", async () => {
    const device = await enrolled();
    const config = async () => {
      const res = await asDevice(host, device, "/api/agent/v1/config");
      expect(res.status).toBe(200);
      return { jws: await res.text(), etag: res.headers.get("etag") };
    };
    const jwks = async () => (await (await fetch(`${host.url}/api/agent/v1/keys?realm=${CONTOSO_TENANT_ID}`)).json()) as JSONWebKeySet;
    const expectations = { typ: "rj-config+jwt" as const, realm: CONTOSO_TENANT_ID, deviceId: device.deviceId };
    const before = await config();
    const oldDoc = await verifySignedDocument(before.jws, await jwks(), { ...expectations, etag: before.etag });

    expect((await asUser(host, token("admin"), `/api/operator/v1/realms/${CONTOSO_TENANT_ID}/signing-key/rotate`, { method: "POST" })).status).toBe(403);
    const rotate = await asUser(host, await operatorToken(host), `/api/operator/v1/realms/${CONTOSO_TENANT_ID}/signing-key/rotate`, { method: "POST" });
    expect(rotate.status).toBe(200);
    const rotated = (await rotate.json()) as { kid: string; publishedKids: string[] };
    expect(rotated.kid).not.toBe(oldDoc.kid);
    expect(rotated.publishedKids).toEqual(expect.arrayContaining([rotated.kid, oldDoc.kid]));

    const keys = await jwks();
    await verifySignedDocument(before.jws, keys, { ...expectations, etag: before.etag });
    const after = await config();
    const newDoc = await verifySignedDocument(after.jws, keys, { ...expectations, etag: after.etag });
    expect(newDoc.kid).toBe(rotated.kid);

    const operatorAudit = (await (await asUser(host, await operatorToken(host), `/api/operator/v1/audit?target=${CONTOSO_TENANT_ID}`)).json()) as { entries: AuditEntryView[] };
    expect(operatorAudit.entries[0]).toMatchObject({ action: "operatorRotateSigningKey", actor: { role: "operator" } });
  });

  it("when a realm's key is older than a year, then the reconciliation task rotates it, and a younger key stays", async () => {
    const { signingKeyRotationTask } = await import("../../lib/reconcile/tasks/signing-key-rotation.js");
    const { PassBudget } = await import("../../lib/reconcile/budget.js");
    let cursor: string | undefined;
    const ctx = (now: Date) => ({
      services: host.services,
      invocation: undefined as never,
      now,
      budget: new PassBudget(100),
      lease: { lost: false, renew: async () => true } as never,
      cursor: { get: async () => cursor, set: async (v: string | undefined) => void (cursor = v) },
      realmId: CONTOSO_TENANT_ID,
    });
    expect(await signingKeyRotationTask.run(ctx(new Date()))).toEqual({ rotatedSigningKeys: 0 });
    const before = await host.services.keyRing.currentKeyCreatedAt(CONTOSO_TENANT_ID);
    expect(await signingKeyRotationTask.run(ctx(new Date(Date.now() + 366 * 86_400_000)))).toEqual({ rotatedSigningKeys: 1 });
    expect(await host.services.keyRing.currentKeyCreatedAt(CONTOSO_TENANT_ID)).not.toBe(before);
  });
});
