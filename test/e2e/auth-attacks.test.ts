import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importPKCS8, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certificateBase64 } from "../../lib/auth/device-assertion-client.js";
import { DEVICE_ASSERTION_TYP } from "../../lib/auth/device-assertion-validator.js";
import { ADMIN_ROLE, OPERATOR_ROLE } from "../../lib/auth/principals.js";
import { CONTOSO_TENANT_ID, FABRIKAM_TENANT_ID } from "../../lib/directory/demo-directory.js";
import { DEV_OPERATOR_TENANT_ID } from "../../lib/localhost/dev-operator.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { newDevice, operatorToken, userToken, type HostDevice } from "../support/host-identities.js";
import { openTestDeviceCa } from "../support/identity-fixtures.js";
import { startTestHost } from "../support/test-host.js";

/*
 * Every token and device-assertion attack against a running host over HTTP, on one agent, one admin and one
 * operator route (attack x route group). Each cell asserts a 401/403 (404 where API.md says cross-realm answers
 * 404) problem+json and that the write the route would make did not happen. A baseline row proves each route
 * accepts the same request with honest credentials, so a refusal is the attack's doing.
 *
 * To add an attack, add a row to TOKEN_ATTACKS (a forged user token; runs on every group) or ASSERTION_ATTACKS
 * (a forged device assertion beside an honest user token; runs on the agent route).
 */

type GroupName = "agent" | "admin" | "operator";
const GROUPS: GroupName[] = ["agent", "admin", "operator"];

/** What a request carries: the bearer token, the device assertion, or a raw Authorization header. */
interface Credentials {
  bearer?: string;
  assertion?: string;
  authorization?: string;
}

/** The claims of the honest user token of a group, as the dev identity provider would mint them. */
interface HonestUser {
  tenantId: string;
  roles: string[];
}

const HONEST_USER: Record<GroupName, HonestUser> = {
  agent: { tenantId: CONTOSO_TENANT_ID, roles: [] },
  admin: { tenantId: CONTOSO_TENANT_ID, roles: [ADMIN_ROLE] },
  operator: { tenantId: DEV_OPERATOR_TENANT_ID, roles: [OPERATOR_ROLE] },
};

let host: RunningLocalHost;
let idpKey: KeyObject;
let idpKid: string;
let issuerBase: string;
let audience: string;
let rogueCa: Awaited<ReturnType<typeof openTestDeviceCa>>;

const nowS = (): number => Math.floor(Date.now() / 1000);
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");

/** Entra-shaped v2 claims of the group's honest user, with overrides (undefined removes a claim). */
function claims(user: HonestUser, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const t = nowS();
  const all: Record<string, unknown> = {
    iss: `${issuerBase}/${user.tenantId}/v2.0`,
    aud: audience,
    tid: user.tenantId,
    oid: randomUUID(),
    sub: randomUUID(),
    scp: "access_as_agent",
    ...(user.roles.length > 0 ? { roles: user.roles } : {}),
    iat: t,
    nbf: t,
    exp: t + 3600,
    ver: "2.0",
    ...overrides,
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

/** Signs claims with the host's own identity-provider key (or another key), RS256 unless told. */
async function token(c: Record<string, unknown>, options: { key?: KeyObject; kid?: string; alg?: string } = {}): Promise<string> {
  return await new SignJWT(c).setProtectedHeader({ alg: options.alg ?? "RS256", typ: "JWT", kid: options.kid ?? idpKid }).sign(options.key ?? idpKey);
}

const [H, P, S] = [0, 1, 2];
const part = (jwt: string, i: number): string => jwt.split(".")[i] ?? "";
const flip = (sig: string): string => (sig.startsWith("A") ? "B" : "A") + sig.slice(1);

/** A forged user token for the group's honest user; on the agent route it comes beside an honest device assertion. */
interface TokenAttack {
  name: string;
  /** The groups it runs on and the status each must answer; every group with 401 when absent. */
  on?: Partial<Record<GroupName, 401 | 403 | 404>>;
  credentials(user: HonestUser, group: GroupName): Promise<Credentials>;
}

const TOKEN_ATTACKS: TokenAttack[] = [
  { name: "no credentials at all", credentials: async () => ({ assertion: undefined }) },
  { name: "malformed bearer", credentials: async () => ({ bearer: "not.a.token" }) },
  { name: "another authorization scheme", credentials: async () => ({ authorization: `Basic ${Buffer.from("admin:admin").toString("base64")}` }) },
  { name: "alg none", credentials: async (u) => ({ bearer: `${b64({ alg: "none", typ: "JWT" })}.${b64(claims(u))}.` }) },
  {
    name: "HS256 signed with the published public key as the secret",
    credentials: async (u) => {
      const pem = createPublicKey(idpKey).export({ type: "spki", format: "pem" });
      return { bearer: await new SignJWT(claims(u)).setProtectedHeader({ alg: "HS256", kid: idpKid }).sign(new Uint8Array(Buffer.from(pem))) };
    },
  },
  {
    name: "signature stripped",
    credentials: async (u) => {
      const jwt = await token(claims(u));
      return { bearer: `${part(jwt, H)}.${part(jwt, P)}.` };
    },
  },
  {
    name: "signature tampered",
    credentials: async (u) => {
      const jwt = await token(claims(u));
      return { bearer: `${part(jwt, H)}.${part(jwt, P)}.${flip(part(jwt, S))}` };
    },
  },
  {
    name: "payload tampered (every role added) under the original signature",
    credentials: async (u) => {
      const jwt = await token(claims(u));
      return { bearer: `${part(jwt, H)}.${b64(claims(u, { roles: [ADMIN_ROLE, OPERATOR_ROLE] }))}.${part(jwt, S)}` };
    },
  },
  { name: "unknown kid (a key of the attacker's own)", credentials: async (u) => ({ bearer: await token(claims(u), { key: attackerKey(), kid: randomUUID() }) }) },
  { name: "the published kid over another key", credentials: async (u) => ({ bearer: await token(claims(u), { key: attackerKey() }) }) },
  { name: "wrong audience", credentials: async (u) => ({ bearer: await token(claims(u, { aud: "api://someone-else" })) }) },
  { name: "wrong issuer (another authority)", credentials: async (u) => ({ bearer: await token(claims(u, { iss: `https://login.evil.example/${u.tenantId}/v2.0` })) }) },
  { name: "issuer names another tenant than tid", credentials: async (u) => ({ bearer: await token(claims(u, { iss: `${issuerBase}/${FABRIKAM_TENANT_ID}/v2.0` })) }) },
  { name: "tid of an unregistered tenant", credentials: async (u) => ({ bearer: await token(claims({ ...u, tenantId: randomUUID() })) }) },
  { name: "expired beyond the skew", credentials: async (u) => ({ bearer: await token(claims(u, { iat: nowS() - 7200, nbf: nowS() - 7200, exp: nowS() - 600 })) }) },
  { name: "not yet valid (nbf beyond the skew)", credentials: async (u) => ({ bearer: await token(claims(u, { nbf: nowS() + 900 })) }) },
  { name: "issued in the future (iat beyond the skew)", credentials: async (u) => ({ bearer: await token(claims(u, { iat: nowS() + 900 })) }) },
  { name: "no exp", credentials: async (u) => ({ bearer: await token(claims(u, { exp: undefined })) }) },
  { name: "no scp (an app-only or ID token)", credentials: async (u) => ({ bearer: await token(claims(u, { scp: undefined })) }) },
  { name: "a delegated scope other than access_as_agent", on: { agent: 403 }, credentials: async (u) => ({ bearer: await token(claims(u, { scp: "User.Read" })) }) },
  // A user of the operator tenant without the role is nobody: that tenant is not a realm.
  { name: "no role (a plain user of the realm, or of the operator tenant)", on: { admin: 403, operator: 401 }, credentials: async (u) => ({ bearer: await token(claims({ ...u, roles: [] })) }) },
  { name: "RealmJoin.Operator claimed from a customer tenant", on: { operator: 403 }, credentials: async () => ({ bearer: await token(claims({ tenantId: CONTOSO_TENANT_ID, roles: [OPERATOR_ROLE] })) }) },
  { name: "an admin token of a realm on operator routes", on: { operator: 403 }, credentials: async () => ({ bearer: await token(claims(HONEST_USER.admin)) }) },
  { name: "an operator token on admin and agent routes", on: { agent: 401, admin: 401 }, credentials: async () => ({ bearer: await token(claims(HONEST_USER.operator)) }) },
  { name: "a user of another realm beside the device (cross-realm)", on: { agent: 404 }, credentials: async () => ({ bearer: await token(claims({ tenantId: FABRIKAM_TENANT_ID, roles: [] })) }) },
];

/** A forged device assertion, beside an honest user token of the device's realm (agent route only). */
interface AssertionAttack {
  name: string;
  status?: 401 | 403 | 404;
  assertion(device: HostDevice): Promise<string | undefined>;
}

interface AssertionFields {
  alg?: "ES256" | "HS256";
  typ?: string;
  x5c?: string[] | undefined;
  tid?: string;
  sub?: string;
  aud?: string;
  iat?: number;
  exp?: number;
  jti?: string;
}

/** An assertion signed with the device's key (ES256), with any field overridden. */
async function assertion(device: HostDevice, f: AssertionFields = {}, signer: HostDevice = device): Promise<string> {
  const iat = f.iat ?? nowS();
  const header: Record<string, unknown> = { alg: "ES256", typ: f.typ ?? DEVICE_ASSERTION_TYP };
  const x5c = "x5c" in f ? f.x5c : [certificateBase64(device.certPem)];
  if (x5c !== undefined) header["x5c"] = x5c;
  return await new SignJWT({ tid: f.tid ?? device.tenantId })
    .setProtectedHeader(header as { alg: string })
    .setSubject(f.sub ?? device.deviceId)
    .setAudience(f.aud ?? audience)
    .setIssuedAt(iat)
    .setExpirationTime(f.exp ?? iat + 300)
    .setJti(f.jti ?? randomUUID())
    .sign(await importPKCS8(signer.keyPem, "ES256"));
}

const ASSERTION_ATTACKS: AssertionAttack[] = [
  { name: "no device assertion", assertion: async () => undefined },
  { name: "garbage assertion", assertion: async () => "eyJhbGciOiJub25lIn0.e30." },
  {
    name: "assertion with alg none",
    assertion: async (d) => `${b64({ alg: "none", typ: DEVICE_ASSERTION_TYP, x5c: [certificateBase64(d.certPem)] })}.${part(await assertion(d), P)}.`,
  },
  {
    name: "assertion HS256-signed with the certificate as the secret",
    assertion: async (d) =>
      await new SignJWT({ tid: d.tenantId })
        .setProtectedHeader({ alg: "HS256", typ: DEVICE_ASSERTION_TYP, x5c: [certificateBase64(d.certPem)] })
        .setSubject(d.deviceId)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime("5m")
        .setJti(randomUUID())
        .sign(new Uint8Array(Buffer.from(certificateBase64(d.certPem), "base64"))),
  },
  {
    name: "assertion signature stripped",
    assertion: async (d) => {
      const jws = await assertion(d);
      return `${part(jws, H)}.${part(jws, P)}.`;
    },
  },
  {
    name: "assertion signature tampered",
    assertion: async (d) => {
      const jws = await assertion(d);
      return `${part(jws, H)}.${part(jws, P)}.${flip(part(jws, S))}`;
    },
  },
  { name: "assertion with typ JWT", assertion: async (d) => await assertion(d, { typ: "JWT" }) },
  { name: "assertion living over 10 minutes (exp - iat)", assertion: async (d) => await assertion(d, { exp: nowS() + 601 }) },
  { name: "assertion expired beyond the skew", assertion: async (d) => await assertion(d, { iat: nowS() - 1200, exp: nowS() - 900 }) },
  { name: "assertion issued in the future beyond the skew", assertion: async (d) => await assertion(d, { iat: nowS() + 900 }) },
  { name: "assertion with a wrong audience", assertion: async (d) => await assertion(d, { aud: "https://elsewhere.example" }) },
  { name: "assertion whose sub is not the certificate's CN", assertion: async (d) => await assertion(d, { sub: randomUUID() }) },
  { name: "certificate of an untrusted CA", assertion: async (d) => await assertion(await rogueDevice(d.deviceId)) },
  { name: "expired certificate", assertion: async (d) => await assertion(await expiredDevice(d.deviceId)) },
  { name: "x5c of another key than the signing one", assertion: async (d) => await assertion(await newDevice(host, d.tenantId, d.deviceId), {}, d) },
  { name: "no x5c", assertion: async (d) => await assertion(d, { x5c: undefined }) },
  { name: "x5c garbage", assertion: async (d) => await assertion(d, { x5c: ["AAAA"] }) },
  {
    name: "replayed jti",
    assertion: async (d) => {
      const once = await assertion(d);
      const first = await fetch(`${host.url}/api/agent/v1/config`, { headers: { "x-rj-device-assertion": once } });
      await first.arrayBuffer();
      expect(first.status, "the first use authenticates (and is refused later for not being enrolled)").not.toBe(401);
      return once;
    },
  },
  { name: "assertion tid of an unregistered tenant", assertion: async (d) => await assertion(d, { tid: randomUUID() }) },
  { name: "tid of another realm than the user's (cross-realm)", status: 404, assertion: async (d) => await assertion(d, { tid: FABRIKAM_TENANT_ID }) },
];

/** Attacks left out of the table by name (never skipped silently); empty since the scope and iat checks landed. */
const OPEN_UNTIL_AUTH_MERGES: readonly string[] = [];

/** One route of a group: the request it makes with given credentials, and the check that its write did not happen. */
interface RouteGroup {
  route: string;
  /** A fresh target (device id, policy scope, tenant id) per cell, so cells cannot see each other's writes. */
  target(): Promise<HostDevice | string>;
  send(target: HostDevice | string, credentials: Credentials): Promise<Response>;
  /** Honest credentials for this route. */
  honest(target: HostDevice | string): Promise<Credentials>;
  unchanged(target: HostDevice | string): Promise<void>;
}

let contosoAdmin: string;
let fabrikamAdmin: string;
let operator: string;
let contosoUser: string;

function headers(c: Credentials, extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = { ...extra };
  if (c.bearer !== undefined) out["authorization"] = `Bearer ${c.bearer}`;
  if (c.authorization !== undefined) out["authorization"] = c.authorization;
  if (c.assertion !== undefined) out["x-rj-device-assertion"] = c.assertion;
  return out;
}

const asDeviceTarget = (t: HostDevice | string): HostDevice => {
  if (typeof t === "string") throw new Error("the agent group's target is a device");
  return t;
};
const asId = (t: HostDevice | string): string => (typeof t === "string" ? t : t.deviceId);

async function status(url: string, bearer: string): Promise<number> {
  const res = await fetch(`${host.url}${url}`, { headers: { authorization: `Bearer ${bearer}` } });
  await res.arrayBuffer();
  return res.status;
}

const ROUTES: Record<GroupName, RouteGroup> = {
  agent: {
    route: "POST /api/agent/v1/enroll",
    target: async () => await newDevice(host, CONTOSO_TENANT_ID),
    send: async (t, c) => await fetch(`${host.url}/api/agent/v1/enroll`, { method: "POST", headers: headers(c) }),
    honest: async (t) => ({ assertion: await assertion(asDeviceTarget(t)), bearer: contosoUser }),
    unchanged: async (t) => {
      expect(await status(`/api/admin/v1/devices/${asId(t)}`, contosoAdmin), "the device is not enrolled in its realm").toBe(404);
      expect(await status(`/api/admin/v1/devices/${asId(t)}`, fabrikamAdmin), "nor in the other realm").toBe(404);
    },
  },
  admin: {
    route: "PUT /api/admin/v1/policies/{scope}",
    target: async () => `group:${randomUUID()}`,
    send: async (t, c) =>
      await fetch(`${host.url}/api/admin/v1/policies/${asId(t)}`, {
        method: "PUT",
        headers: headers(c, { "content-type": "application/json" }),
        body: JSON.stringify({ reportIntervalSeconds: 1200 }),
      }),
    honest: async () => ({ bearer: contosoAdmin }),
    unchanged: async (t) => {
      expect(await status(`/api/admin/v1/policies/${asId(t)}`, contosoAdmin), "no policy was written in the realm").toBe(404);
      expect(await status(`/api/admin/v1/policies/${asId(t)}`, fabrikamAdmin), "nor in another realm").toBe(404);
    },
  },
  operator: {
    route: "PUT /api/operator/v1/realms/{tenantId}",
    target: async () => randomUUID(),
    send: async (t, c) =>
      await fetch(`${host.url}/api/operator/v1/realms/${asId(t)}`, {
        method: "PUT",
        headers: headers(c, { "content-type": "application/json" }),
        body: JSON.stringify({ name: "Attack", deviceTrust: "pinned", noGraph: true }),
      }),
    honest: async () => ({ bearer: operator }),
    unchanged: async (t) => {
      expect(await status(`/api/operator/v1/realms/${asId(t)}`, operator), "no realm was created").toBe(404);
    },
  },
};

function attackerKey(): KeyObject {
  return generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
}

async function rogueDevice(deviceId: string): Promise<HostDevice> {
  const issued = await rogueCa.issueDeviceCertificate(deviceId, { generate: "ES256" });
  return { deviceId, tenantId: CONTOSO_TENANT_ID, keyPem: issued.keyPem ?? "", certPem: issued.certPem };
}

async function expiredDevice(deviceId: string): Promise<HostDevice> {
  const ca = host.services.dev?.ca;
  if (ca === undefined) throw new Error("no dev CA");
  const day = 86_400_000;
  const issued = await ca.issueDeviceCertificate(deviceId, { generate: "ES256" }, { notBefore: new Date(Date.now() - 400 * day), notAfter: new Date(Date.now() - day) });
  return { deviceId, tenantId: CONTOSO_TENANT_ID, keyPem: issued.keyPem ?? "", certPem: issued.certPem };
}

async function expectRefused(res: Response, expected: number, what: string): Promise<void> {
  const text = await res.text();
  expect(res.status, `${what}: ${text.slice(0, 300)}`).toBe(expected);
  expect(res.headers.get("content-type"), what).toBe("application/problem+json");
  const problem = JSON.parse(text) as Record<string, unknown>;
  expect(problem["status"], what).toBe(expected);
}

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "rj-attacks-"));
  // The device budget is generous: this file sends many requests per device and the rate limit has its own tests.
  host = await startTestHost({ dataDir, env: { RJ_DEVICE_RATE_PER_MINUTE: "100000" } });
  const idp = host.services.dev?.idp;
  if (idp === undefined) throw new Error("the host runs without the dev identity provider");
  idpKey = createPrivateKey(readFileSync(join(dataDir, "dev-idp", "signing-key.pem"), "utf8"));
  idpKid = idp.jwks().keys[0]?.kid ?? "";
  issuerBase = idp.issuerBase;
  audience = host.services.audiences[0] ?? "";
  rogueCa = await openTestDeviceCa();
  contosoAdmin = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
  fabrikamAdmin = await userToken(host, FABRIKAM_TENANT_ID, { admin: true });
  contosoUser = await userToken(host, CONTOSO_TENANT_ID);
  operator = await operatorToken(host);
});
afterAll(async () => {
  await host.stop();
  await rogueCa.remove();
});

describe("the attack table itself", () => {
  it("when an attack is listed as open, then it is a row of the table (so the list cannot hide anything else)", () => {
    const names = new Set([...TOKEN_ATTACKS, ...ASSERTION_ATTACKS].map((a) => a.name));
    expect(OPEN_UNTIL_AUTH_MERGES.filter((n) => !names.has(n))).toEqual([]);
    expect(names.size).toBe(TOKEN_ATTACKS.length + ASSERTION_ATTACKS.length);
  });

  it.each(GROUPS)("when the %s route gets honest credentials, then it accepts them and its write is visible (so refusals below are the attacks' doing)", async (group) => {
    const r = ROUTES[group];
    const target = await r.target();
    const res = await r.send(target, await r.honest(target));
    const text = await res.text();
    expect([200, 201], text).toContain(res.status);
    await expect(r.unchanged(target)).rejects.toThrow();
  });
});

const open = (name: string): boolean => OPEN_UNTIL_AUTH_MERGES.includes(name);

describe("token attacks over HTTP (attack x route group)", () => {
  const cells = TOKEN_ATTACKS.filter((a) => !open(a.name)).flatMap((a) =>
    GROUPS.filter((g) => a.on === undefined || a.on[g] !== undefined).map((g) => ({ attack: a, group: g, expected: a.on?.[g] ?? 401 })),
  );
  it.each(cells.map((c) => [c.attack.name, c.group, c.expected, c] as const))("when the token is forged (%s) on the %s route, then %i problem+json and nothing changes", async (_n, group, expected, cell) => {
    const r = ROUTES[group];
    const target = await r.target();
    const base: Credentials = group === "agent" ? { assertion: await assertion(asDeviceTarget(target)) } : {};
    const res = await r.send(target, { ...base, ...(await cell.attack.credentials(HONEST_USER[group], group)) });
    await expectRefused(res, expected, `${cell.attack.name} on ${r.route}`);
    await r.unchanged(target);
  });
});

describe("device assertion attacks over HTTP (agent route, beside an honest user token)", () => {
  it.each(ASSERTION_ATTACKS.filter((a) => !open(a.name)).map((a) => [a.name, a.status ?? 401, a] as const))("when the assertion is forged (%s), then %i problem+json and the device is not enrolled", async (_n, expected, attack) => {
    const r = ROUTES.agent;
    const device = asDeviceTarget(await r.target());
    const forged = await attack.assertion(device);
    const res = await r.send(device, { bearer: contosoUser, ...(forged === undefined ? {} : { assertion: forged }) });
    await expectRefused(res, expected, `${attack.name} on ${r.route}`);
    await r.unchanged(device);
  });
});
