import { randomUUID } from "node:crypto";
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_ROLE } from "../../lib/auth/principals.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { registry } from "../../lib/registry/index.js";
import { asDevice, asUser, newDevice, operatorToken, stateReport, type HostDevice } from "../support/host-identities.js";
import { startTestHost } from "../support/test-host.js";

/*
 * Two realms hold the same user, group, device and channel ids with different data. Every route that takes an
 * id (and every agent route) is called as one realm's identities with the shared ids and with ids only the other
 * realm has: it must answer with its own realm's data or 404, never the other's. Each row runs both ways.
 * A route in the registry that takes an id and has no row here fails this test: add a row when you add a route.
 */

/** Ids both realms use. */
const SHARED = {
  package: "Shared.Tool",
  assignment: "shared-assignment",
  template: "Shared template",
  device: randomUUID(),
  group: randomUUID(),
  user1: randomUUID(),
  user2: randomUUID(),
};

interface RealmFixture {
  tenantId: string;
  /** A RealmJoin.Admin (user1) and a plain user token (user1) of this realm. */
  admin: string;
  user: string;
  /** The shared device id, enrolled in this realm with its own certificate. */
  device: HostDevice;
  primaryUser: string;
  /** The report interval this realm's group policy for the shared group sets. */
  interval: number;
  /** The channel this realm's device policy for the shared device sets, and this realm's release versions. */
  channel: "beta" | "canary";
  releases: { beta: string; canary: string };
  /** Ids that exist only in this realm. */
  onlyDevice: string;
  onlyGroup: string;
  onlyPackage: string;
  onlyAssignment: string;
  onlyTemplate: string;
  /** The intent this realm's shared assignment carries. */
  intent: "required" | "available";
  passphrase: string;
  sequence: number;
}

let host: RunningLocalHost;
let a: RealmFixture;
let b: RealmFixture;

async function tokenFor(tenantId: string, oid: string, admin: boolean): Promise<string> {
  const idp = host.services.dev?.idp;
  if (idp === undefined) throw new Error("the host runs without the dev identity provider");
  return await idp.mintAccessToken({
    tenantId,
    oid,
    upn: `${oid}@shared.example`,
    name: "Shared User",
    roles: admin ? [ADMIN_ROLE] : [],
    audience: host.services.audiences[0] ?? "",
  });
}

async function ok(res: Response, status = 200): Promise<unknown> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}

interface RealmChoices {
  interval: number;
  channel: "beta" | "canary";
  primaryUser: string;
  releases: { beta: string; canary: string };
  intent: "required" | "available";
}

/** A legacy package (no blob; its URL names the realm, so a leak would show). */
function legacyPackage(tenantId: string, id: string): Record<string, unknown> {
  return { id, version: "1.0.0", sha1: "a".repeat(40), size: 1234, url: `https://example.test/${tenantId}/${id}.nupkg`, installContext: "system", dependencies: [] };
}

async function makeRealm(operator: string, p: RealmChoices): Promise<RealmFixture> {
  const tenantId = randomUUID();
  const caPem = host.services.dev?.ca.caPem() ?? "";
  await ok(
    await asUser(host, operator, `/api/operator/v1/realms/${tenantId}`, {
      method: "PUT",
      body: { name: `Isolation ${tenantId.slice(0, 8)}`, deviceTrust: "device-ca", deviceCaPem: caPem, noGraph: true },
    }),
    201,
  );
  const dir = host.services.localDirectory;
  for (const id of [SHARED.user1, SHARED.user2]) await dir.putUser(tenantId, { id, userPrincipalName: `${id}@shared.example`, displayName: "Shared User" });
  await dir.putGroup(tenantId, { id: SHARED.group, displayName: "Shared group" });
  for (const id of [SHARED.user1, SHARED.user2]) await dir.addMember(tenantId, SHARED.group, id);

  const admin = await tokenFor(tenantId, SHARED.user1, true);
  const fixture: RealmFixture = {
    tenantId,
    admin,
    user: await tokenFor(tenantId, SHARED.user1, false),
    device: await newDevice(host, tenantId, SHARED.device),
    primaryUser: p.primaryUser,
    interval: p.interval,
    channel: p.channel,
    releases: p.releases,
    onlyDevice: randomUUID(),
    onlyGroup: randomUUID(),
    onlyPackage: `Only.R${tenantId.slice(0, 8)}`,
    onlyAssignment: `only-${tenantId.slice(0, 8)}`,
    onlyTemplate: `Only ${tenantId.slice(0, 8)}`,
    intent: p.intent,
    passphrase: `passphrase of ${tenantId}`,
    sequence: 1,
  };
  const primary = await tokenFor(tenantId, p.primaryUser, false);
  await ok(await asDevice(host, fixture.device, "/api/agent/v1/enroll", { method: "POST", token: primary }), 201);
  await ok(await asDevice(host, await newDevice(host, tenantId, fixture.onlyDevice), "/api/agent/v1/enroll", { method: "POST" }), 201);
  const put = (path: string, body: unknown) => asUser(host, admin, path, { method: "PUT", body });
  await ok(await put(`/api/admin/v1/policies/group:${SHARED.group}`, { reportIntervalSeconds: p.interval }));
  await ok(await put(`/api/admin/v1/policies/device:${SHARED.device}`, { releaseChannel: p.channel }));
  await ok(await put(`/api/admin/v1/policies/group:${fixture.onlyGroup}`, { makeAdmin: true }));
  for (const channel of ["beta", "canary"] as const) {
    await ok(await put(`/api/admin/v1/releases/${channel}`, { version: p.releases[channel], url: `https://example.test/${tenantId}/agent.msi`, sha256: "ab".repeat(32) }));
  }
  await ok(await put("/api/admin/v1/branchcache", { passphrase: fixture.passphrase }));
  for (const id of [SHARED.package, fixture.onlyPackage]) {
    await ok(await asUser(host, admin, "/api/admin/v1/packages/legacy", { method: "POST", body: legacyPackage(tenantId, id) }), 201);
  }
  await ok(await put(`/api/admin/v1/assignments/${SHARED.assignment}`, { packageId: SHARED.package, target: { type: "device", id: SHARED.device }, intent: p.intent }), 201);
  await ok(await put(`/api/admin/v1/assignments/${fixture.onlyAssignment}`, { packageId: fixture.onlyPackage, target: { type: "all" }, intent: "available" }), 201);
  for (const name of [SHARED.template, fixture.onlyTemplate]) {
    await ok(await put(`/api/admin/v1/signature-templates/${encodeURIComponent(name)}`, { html: `<p>${tenantId}</p>`, text: tenantId }));
  }
  return fixture;
}

beforeAll(async () => {
  host = await startTestHost();
  const operator = await operatorToken(host);
  a = await makeRealm(operator, { interval: 600, channel: "beta", primaryUser: SHARED.user1, releases: { beta: "5.1.1", canary: "5.1.2" }, intent: "required" });
  b = await makeRealm(operator, { interval: 1200, channel: "canary", primaryUser: SHARED.user2, releases: { beta: "5.2.1", canary: "5.2.2" }, intent: "available" });
}, 120_000);
afterAll(async () => {
  await host.stop();
});

async function jwksOf(tenantId: string): Promise<JSONWebKeySet> {
  return (await (await fetch(`${host.url}/api/agent/v1/keys?realm=${tenantId}`)).json()) as JSONWebKeySet;
}

async function adminGet(r: RealmFixture, path: string): Promise<Response> {
  return await asUser(host, r.admin, path);
}

async function deviceSeenByAdmin(r: RealmFixture, deviceId: string): Promise<{ primaryUser: string | null; lastSequence?: number; reports: unknown[] }> {
  return (await ok(await adminGet(r, `/api/admin/v1/devices/${deviceId}`))) as { primaryUser: string | null; lastSequence?: number; reports: unknown[] };
}

/** One route: called as `me` with shared ids and `other`'s own ids, it must show `me`'s data or 404. */
interface IsolationRow {
  route: string;
  check(me: RealmFixture, other: RealmFixture): Promise<void>;
}

const ROWS: IsolationRow[] = [
  {
    route: "POST agent/v1/enroll",
    async check(me) {
      const body = (await ok(await asDevice(host, me.device, "/api/agent/v1/enroll", { method: "POST", token: me.user }))) as Record<string, unknown>;
      expect(body).toMatchObject({ deviceId: SHARED.device, primaryUser: me.primaryUser });
    },
  },
  {
    route: "GET agent/v1/config",
    async check(me, other) {
      const res = await asDevice(host, me.device, "/api/agent/v1/config");
      expect(res.status).toBe(200);
      const jws = await res.text();
      const { payload } = await compactVerify(jws, createLocalJWKSet(await jwksOf(me.tenantId)));
      expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({ realm: me.tenantId, deviceId: SHARED.device, reportIntervalSeconds: me.interval, releaseChannel: me.channel });
      await expect(compactVerify(jws, createLocalJWKSet(await jwksOf(other.tenantId)))).rejects.toThrow();
    },
  },
  {
    route: "POST agent/v1/state",
    async check(me, other) {
      const before = await deviceSeenByAdmin(other, SHARED.device);
      me.sequence += 1;
      const res = await asDevice(host, me.device, "/api/agent/v1/state", { method: "POST", body: stateReport(me.sequence) });
      const body = (await ok(res, 202)) as { configHash: string };
      const config = await asDevice(host, me.device, "/api/agent/v1/config");
      await config.arrayBuffer();
      expect(config.headers.get("etag")).toBe(`"${body.configHash}"`);
      expect(await deviceSeenByAdmin(other, SHARED.device)).toEqual(before);
    },
  },
  {
    route: "GET agent/v1/client/update",
    async check(me) {
      const body = (await ok(await asDevice(host, me.device, "/api/agent/v1/client/update?current=1.0.0"))) as Record<string, unknown>;
      expect(body).toMatchObject({ version: me.releases[me.channel], channel: me.channel });
    },
  },
  {
    route: "GET agent/v1/keys",
    async check(me, other) {
      const mine = (await jwksOf(me.tenantId)).keys.map((k) => k.kid);
      const theirs = (await jwksOf(other.tenantId)).keys.map((k) => k.kid);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.filter((kid) => theirs.includes(kid))).toEqual([]);
    },
  },
  {
    route: "PUT admin/v1/policies/{scope}",
    async check(me, other) {
      await ok(await asUser(host, me.admin, `/api/admin/v1/policies/group:${SHARED.group}`, { method: "PUT", body: { reportIntervalSeconds: me.interval } }));
      const theirs = (await ok(await adminGet(other, `/api/admin/v1/policies/group:${SHARED.group}`))) as { policy: unknown };
      expect(theirs.policy).toEqual({ reportIntervalSeconds: other.interval });
    },
  },
  {
    route: "GET admin/v1/policies/{scope}",
    async check(me, other) {
      expect(await ok(await adminGet(me, `/api/admin/v1/policies/group:${SHARED.group}`))).toMatchObject({ policy: { reportIntervalSeconds: me.interval } });
      expect(await ok(await adminGet(me, `/api/admin/v1/policies/device:${SHARED.device}`))).toMatchObject({ policy: { releaseChannel: me.channel } });
      expect((await adminGet(me, `/api/admin/v1/policies/group:${other.onlyGroup}`)).status).toBe(404);
    },
  },
  {
    route: "DELETE admin/v1/policies/{scope}",
    async check(me, other) {
      expect((await asUser(host, me.admin, `/api/admin/v1/policies/group:${other.onlyGroup}`, { method: "DELETE" })).status).toBe(404);
      await ok(await adminGet(other, `/api/admin/v1/policies/group:${other.onlyGroup}`));
    },
  },
  {
    route: "GET admin/v1/policies",
    async check(me, other) {
      const { policies } = (await ok(await adminGet(me, "/api/admin/v1/policies"))) as { policies: { scope: string; policy: Record<string, unknown> }[] };
      const scopes = policies.map((p) => p.scope);
      expect(scopes).toContain(`group:${me.onlyGroup}`);
      expect(scopes).not.toContain(`group:${other.onlyGroup}`);
      expect(policies.find((p) => p.scope === `group:${SHARED.group}`)?.policy).toEqual({ reportIntervalSeconds: me.interval });
    },
  },
  {
    route: "PUT admin/v1/releases/{channel}",
    async check(me, other) {
      const body = { version: me.releases.beta, url: `https://example.test/${me.tenantId}/agent.msi`, sha256: "ab".repeat(32) };
      await ok(await asUser(host, me.admin, "/api/admin/v1/releases/beta", { method: "PUT", body }));
      expect(await ok(await adminGet(other, "/api/admin/v1/releases/beta"))).toMatchObject({ version: other.releases.beta });
    },
  },
  {
    route: "GET admin/v1/releases/{channel}",
    async check(me) {
      for (const channel of ["beta", "canary"] as const) {
        expect(await ok(await adminGet(me, `/api/admin/v1/releases/${channel}`))).toMatchObject({ version: me.releases[channel] });
      }
    },
  },
  {
    route: "PUT admin/v1/devices/{id}/registration",
    async check(me, other) {
      const deviceId = randomUUID();
      expect((await asUser(host, me.admin, `/api/admin/v1/devices/${deviceId}/registration`, { method: "PUT" })).status).toBe(201);
      expect(await host.services.localDirectory.deviceAlternativeSecurityIds(me.tenantId, deviceId)).toEqual([]);
      expect(await host.services.localDirectory.deviceAlternativeSecurityIds(other.tenantId, deviceId)).toBeUndefined();
    },
  },
  {
    route: "DELETE admin/v1/devices/{id}/pin",
    async check(me, other) {
      const deviceId = randomUUID();
      await host.services.devicePins.pinIfAbsent(other.tenantId, deviceId, "aa".repeat(32));
      expect((await asUser(host, me.admin, `/api/admin/v1/devices/${deviceId}/pin`, { method: "DELETE" })).status).toBe(404);
      expect(await host.services.devicePins.getPin(other.tenantId, deviceId)).toBe("aa".repeat(32));
      await host.services.devicePins.pinIfAbsent(me.tenantId, deviceId, "bb".repeat(32));
      expect((await asUser(host, me.admin, `/api/admin/v1/devices/${deviceId}/pin`, { method: "DELETE" })).status).toBe(204);
      expect(await host.services.devicePins.getPin(other.tenantId, deviceId)).toBe("aa".repeat(32));
    },
  },
  {
    route: "PUT admin/v1/devices/{id}/primary-user",
    async check(me, other) {
      const put = (deviceId: string) => asUser(host, me.admin, `/api/admin/v1/devices/${deviceId}/primary-user`, { method: "PUT", body: { userId: me.primaryUser } });
      expect(await ok(await put(SHARED.device))).toMatchObject({ primaryUser: me.primaryUser });
      expect((await deviceSeenByAdmin(other, SHARED.device)).primaryUser).toBe(other.primaryUser);
      expect((await put(other.onlyDevice)).status).toBe(404);
    },
  },
  {
    route: "GET admin/v1/devices",
    async check(me, other) {
      const { devices } = (await ok(await adminGet(me, "/api/admin/v1/devices"))) as { devices: { deviceId: string; primaryUser: string | null }[] };
      expect(devices.map((d) => d.deviceId).sort()).toEqual([SHARED.device, me.onlyDevice].sort());
      expect(devices.find((d) => d.deviceId === SHARED.device)?.primaryUser).toBe(me.primaryUser);
      expect(devices.map((d) => d.deviceId)).not.toContain(other.onlyDevice);
    },
  },
  {
    route: "GET admin/v1/devices/{id}",
    async check(me, other) {
      expect((await deviceSeenByAdmin(me, SHARED.device)).primaryUser).toBe(me.primaryUser);
      expect((await adminGet(me, `/api/admin/v1/devices/${other.onlyDevice}`)).status).toBe(404);
    },
  },
  {
    route: "PUT admin/v1/branchcache",
    async check(me, other) {
      await ok(await asUser(host, me.admin, "/api/admin/v1/branchcache", { method: "PUT", body: { passphrase: me.passphrase } }));
      expect(await host.services.branchCache.get(other.tenantId)).toBe(other.passphrase);
    },
  },
  {
    route: "GET admin/v1/branchcache",
    async check(me) {
      expect(await ok(await adminGet(me, "/api/admin/v1/branchcache"))).toMatchObject({ set: true });
    },
  },
  ...operatorRows(),
  {
    route: "GET admin/v1/packages/{id}",
    async check(me, other) {
      const text = JSON.stringify(await ok(await adminGet(me, `/api/admin/v1/packages/${SHARED.package}`)));
      expect(text).toContain(me.tenantId);
      expect(text).not.toContain(other.tenantId);
      expect((await adminGet(me, `/api/admin/v1/packages/${other.onlyPackage}`)).status).toBe(404);
    },
  },
  {
    route: "DELETE admin/v1/packages/{id}/{version}",
    async check(me, other) {
      expect((await asUser(host, me.admin, `/api/admin/v1/packages/${other.onlyPackage}/1.0.0`, { method: "DELETE" })).status).toBe(404);
      await ok(await adminGet(other, `/api/admin/v1/packages/${other.onlyPackage}`));
    },
  },
  {
    route: "PUT admin/v1/assignments/{assignmentId}",
    async check(me, other) {
      const body = { packageId: SHARED.package, target: { type: "device", id: SHARED.device }, intent: me.intent };
      await ok(await asUser(host, me.admin, `/api/admin/v1/assignments/${SHARED.assignment}`, { method: "PUT", body }));
      expect(await ok(await adminGet(other, `/api/admin/v1/assignments/${SHARED.assignment}`))).toMatchObject({ intent: other.intent });
    },
  },
  {
    route: "GET admin/v1/assignments/{assignmentId}",
    async check(me, other) {
      expect(await ok(await adminGet(me, `/api/admin/v1/assignments/${SHARED.assignment}`))).toMatchObject({ intent: me.intent });
      expect((await adminGet(me, `/api/admin/v1/assignments/${other.onlyAssignment}`)).status).toBe(404);
    },
  },
  {
    route: "DELETE admin/v1/assignments/{assignmentId}",
    async check(me, other) {
      expect((await asUser(host, me.admin, `/api/admin/v1/assignments/${other.onlyAssignment}`, { method: "DELETE" })).status).toBe(404);
      await ok(await adminGet(other, `/api/admin/v1/assignments/${other.onlyAssignment}`));
    },
  },
  {
    route: "GET admin/v1/uploads/{uploadId}",
    async check(me, other) {
      const theirs = (await ok(await asUser(host, other.admin, "/api/admin/v1/uploads", { method: "POST" }), 201)) as { uploadId: string };
      expect((await adminGet(me, `/api/admin/v1/uploads/${theirs.uploadId}`)).status).toBe(404);
      expect(await ok(await adminGet(other, `/api/admin/v1/uploads/${theirs.uploadId}`))).toMatchObject({ status: "pending" });
    },
  },
  {
    route: "POST admin/v1/uploads/{uploadId}/publish",
    async check(me, other) {
      const theirs = (await ok(await asUser(host, other.admin, "/api/admin/v1/uploads", { method: "POST" }), 201)) as { uploadId: string };
      expect((await asUser(host, me.admin, `/api/admin/v1/uploads/${theirs.uploadId}/publish?force=true`, { method: "POST" })).status).toBe(404);
      expect(await ok(await adminGet(other, `/api/admin/v1/uploads/${theirs.uploadId}`))).toMatchObject({ status: "pending", force: false });
    },
  },
  {
    route: "GET admin/v1/devices/{id}/explain/{packageId}",
    async check(me, other) {
      const res = await adminGet(me, `/api/admin/v1/devices/${SHARED.device}/explain/${SHARED.package}`);
      const text = await res.text();
      expect(res.status, text).toBe(200);
      expect(text).toContain(me.intent);
      expect(text).not.toContain(other.tenantId);
      expect((await adminGet(me, `/api/admin/v1/devices/${other.onlyDevice}/explain/${SHARED.package}`)).status).toBe(404);
      const foreign = await adminGet(me, `/api/admin/v1/devices/${SHARED.device}/explain/${other.onlyPackage}`);
      expect(await foreign.text()).not.toContain(other.tenantId);
    },
  },
  {
    route: "POST agent/v1/packages/{id}/install",
    async check(me, other) {
      const res = await asDevice(host, me.device, `/api/agent/v1/packages/${SHARED.package}/install`, { method: "POST", token: me.user });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      expect(text).not.toContain(other.tenantId);
      const foreign = await asDevice(host, me.device, `/api/agent/v1/packages/${other.onlyPackage}/install`, { method: "POST", token: me.user });
      expect(foreign.status).toBe(404);
    },
  },
  ...(["GET", "HEAD"] as const).map(
    (method): IsolationRow => ({
      route: `${method} content/{packageId}/{version}`,
      async check(me, other) {
        const res = await asDevice(host, me.device, `/api/content/${SHARED.package}/1.0.0`, { method });
        await res.arrayBuffer();
        expect(res.status).toBe(302);
        expect(res.headers.get("location")).toContain(me.tenantId);
        const foreign = await asDevice(host, me.device, `/api/content/${other.onlyPackage}/1.0.0`, { method });
        await foreign.arrayBuffer();
        expect(foreign.status).toBe(404);
      },
    }),
  ),
  {
    route: "PUT admin/v1/signature-templates/{name}",
    async check(me, other) {
      const path = `/api/admin/v1/signature-templates/${encodeURIComponent(SHARED.template)}`;
      await ok(await asUser(host, me.admin, path, { method: "PUT", body: { html: `<p>${me.tenantId}</p>`, text: me.tenantId } }));
      const theirs = JSON.stringify(await ok(await adminGet(other, "/api/admin/v1/signature-templates")));
      expect(theirs).not.toContain(me.tenantId);
      expect(theirs).toContain(other.tenantId);
    },
  },
  {
    route: "DELETE admin/v1/signature-templates/{name}",
    async check(me, other) {
      const path = `/api/admin/v1/signature-templates/${encodeURIComponent(other.onlyTemplate)}`;
      expect((await asUser(host, me.admin, path, { method: "DELETE" })).status).toBe(404);
      expect(JSON.stringify(await ok(await adminGet(other, "/api/admin/v1/signature-templates")))).toContain(other.onlyTemplate);
    },
  },
  {
    route: "POST agent/v1/onboarding/{runId}/steps/{stepId}",
    async check(me, other) {
      const current = async (r: RealmFixture) => (await ok(await asDevice(host, r.device, "/api/agent/v1/onboarding"))) as { runId: string; step?: { id: string } };
      const theirs = await current(other);
      const stepId = theirs.step?.id ?? "check-updates";
      const post = async (runId: string) => {
        const res = await asDevice(host, me.device, `/api/agent/v1/onboarding/${runId}/steps/${stepId}`, { method: "POST", body: { outcome: "succeeded" } });
        return { status: res.status, type: ((await res.json()) as { type?: string }).type };
      };
      // The other realm's run answers exactly as a run that does not exist: 404.
      const foreign = await post(theirs.runId);
      expect(foreign.status).toBe(404);
      expect(foreign).toEqual(await post(randomUUID()));
      expect(await current(other)).toEqual(theirs);
    },
  },
  {
    route: "POST admin/v1/devices/{id}/onboarding/retry",
    async check(me, other) {
      expect((await asUser(host, me.admin, `/api/admin/v1/devices/${other.onlyDevice}/onboarding/retry`, { method: "POST" })).status).toBe(404);
    },
  },
  ...(["retire", "sync", "onboarding/retry-step"] as const).map(
    (action): IsolationRow => ({
      route: `POST admin/v1/devices/{id}/${action}`,
      async check(me, other) {
        expect((await asUser(host, me.admin, `/api/admin/v1/devices/${other.onlyDevice}/${action}`, { method: "POST" })).status).toBe(404);
        expect(await host.services.devices.get(other.tenantId, other.onlyDevice)).toBeDefined();
      },
    }),
  ),
  ...(["users", "groups"] as const).flatMap((kind): IsolationRow[] => {
    const body = (r: RealmFixture) => (kind === "users" ? { userPrincipalName: `${randomUUID().slice(0, 8)}@${r.tenantId.slice(0, 8)}.example`, displayName: r.tenantId } : { displayName: r.tenantId, members: [] });
    const theirsOnly = async (r: RealmFixture): Promise<string> => {
      const id = randomUUID();
      await ok(await asUser(host, r.admin, `/api/admin/v1/directory/${kind}/${id}`, { method: "PUT", body: body(r) }), 201);
      return id;
    };
    return [
      {
        route: `PUT admin/v1/directory/${kind}/{${kind === "users" ? "userId" : "groupId"}}`,
        async check(me, other) {
          const id = randomUUID();
          await ok(await asUser(host, me.admin, `/api/admin/v1/directory/${kind}/${id}`, { method: "PUT", body: body(me) }), 201);
          expect((await adminGet(other, `/api/admin/v1/directory/${kind}/${id}`)).status).toBe(404);
        },
      },
      {
        route: `GET admin/v1/directory/${kind}/{${kind === "users" ? "userId" : "groupId"}}`,
        async check(me, other) {
          expect((await adminGet(me, `/api/admin/v1/directory/${kind}/${await theirsOnly(other)}`)).status).toBe(404);
        },
      },
      {
        route: `DELETE admin/v1/directory/${kind}/{${kind === "users" ? "userId" : "groupId"}}`,
        async check(me, other) {
          const id = await theirsOnly(other);
          expect((await asUser(host, me.admin, `/api/admin/v1/directory/${kind}/${id}`, { method: "DELETE" })).status).toBe(404);
          await ok(await adminGet(other, `/api/admin/v1/directory/${kind}/${id}`));
        },
      },
    ];
  }),
  {
    route: "GET admin/v1/devices/{id}/recovery-keys",
    async check(me, other) {
      expect((await adminGet(me, `/api/admin/v1/devices/${other.onlyDevice}/recovery-keys`)).status).toBe(404);
      expect(JSON.stringify(await ok(await adminGet(me, `/api/admin/v1/devices/${SHARED.device}/recovery-keys`)))).not.toContain(other.tenantId);
    },
  },
];

/** A customer admin never reaches the operator routes, with the other realm's id or its own. */
function operatorRows(): IsolationRow[] {
  const calls: [string, (t: string) => { path: string; method: string; body?: unknown }][] = [
    ["GET operator/v1/realms", () => ({ path: "/api/operator/v1/realms", method: "GET" })],
    ["GET operator/v1/realms/{tenantId}", (t) => ({ path: `/api/operator/v1/realms/${t}`, method: "GET" })],
    ["PUT operator/v1/realms/{tenantId}", (t) => ({ path: `/api/operator/v1/realms/${t}`, method: "PUT", body: { name: "x", deviceTrust: "pinned", noGraph: true } })],
    ["POST operator/v1/realms/{tenantId}/disable", (t) => ({ path: `/api/operator/v1/realms/${t}/disable`, method: "POST" })],
    ["POST operator/v1/realms/{tenantId}/enable", (t) => ({ path: `/api/operator/v1/realms/${t}/enable`, method: "POST" })],
    ["DELETE operator/v1/realms/{tenantId}", (t) => ({ path: `/api/operator/v1/realms/${t}`, method: "DELETE" })],
    ["POST operator/v1/realms/{tenantId}/signing-key/rotate", (t) => ({ path: `/api/operator/v1/realms/${t}/signing-key/rotate`, method: "POST" })],
  ];
  return calls.map(([route, call]) => ({
    route,
    async check(me, other) {
      for (const tenant of [other.tenantId, me.tenantId]) {
        const { path, method, body } = call(tenant);
        expect((await asUser(host, me.admin, path, { method, ...(body === undefined ? {} : { body }) })).status).toBe(403);
      }
      expect((await host.services.realms.get(other.tenantId))?.status).toBe("active");
    },
  }));
}

/** Routes without a row, and why: none of them reaches realm data. */
const EXEMPT_AREAS = new Set(["dev", "system"]);

function registryRoutes(): { key: string; takesId: boolean; area: string }[] {
  return registry.http.flatMap((e) => e.methods.map((m) => ({ key: `${m} ${e.route}`, takesId: e.route.includes("{"), area: e.area })));
}

describe("the isolation table", () => {
  it("when the registry has a route that takes an id, then the table has a row for it", () => {
    const listed = new Set(ROWS.map((r) => r.route));
    const missing = registryRoutes()
      .filter((r) => r.takesId && !EXEMPT_AREAS.has(r.area) && !listed.has(r.key))
      .map((r) => r.key);
    expect(missing, "add an isolation row for each of these routes").toEqual([]);
  });

  it("when the table names a route, then the registry has it", () => {
    const known = new Set(registryRoutes().map((r) => r.key));
    expect(ROWS.map((r) => r.route).filter((route) => !known.has(route))).toEqual([]);
  });
});

describe("two realms with the same ids", () => {
  it.each(ROWS.map((r) => [r.route, r] as const))("%s shows each realm only its own data", async (_route, row) => {
    await row.check(a, b);
    await row.check(b, a);
  });

  it("when a token of one realm comes with the other realm's device, then 404", async () => {
    const res = await asDevice(host, b.device, "/api/agent/v1/config", { token: a.user });
    expect(res.status).toBe(404);
  });
});
