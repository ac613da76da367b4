import { createServer, type Server } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import type { JWK } from "jose";
import { ManualClock, type Clock } from "../../lib/core/clock.js";
import type { Realm, RealmLookup } from "../../lib/realms/realm.js";
import { AccessTokenValidator } from "../../lib/auth/access-token-validator.js";
import { Authenticator } from "../../lib/auth/authenticator.js";
import { DeviceAssertionValidator } from "../../lib/auth/device-assertion-validator.js";
import { createDeviceAssertion } from "../../lib/auth/device-assertion-client.js";
import { MemoryDevicePinStore, type DeviceCertificateTrust, type DevicePinStore, type KnownDevices } from "../../lib/auth/device-trust.js";
import { DevDeviceCa } from "../../lib/auth/dev-device-ca.js";
import { DEV_IDP_JWKS_PATH, DevIdentityProvider, type MintAccessTokenInput } from "../../lib/auth/dev-identity-provider.js";
import { JwksRegistry } from "../../lib/auth/jwks-registry.js";
import { ADMIN_ROLE, AGENT_SCOPE } from "../../lib/auth/principals.js";
import { MemoryReplayCache, type ReplayCache } from "../../lib/auth/replay-cache.js";
import type { AuthLogger } from "../../lib/auth/auth-logger.js";

/** Tenants used across tests. */
export const TEST_TENANTS = {
  contoso: "6f1c2a3b-0000-4000-8000-00000000c001",
  fabrikam: "6f1c2a3b-0000-4000-8000-00000000fab1",
  operator: "6f1c2a3b-0000-4000-8000-0000000000e1",
} as const;
/** The app id URI accepted as `aud` (v1 form). */
export const TEST_AUDIENCE = "api://realmjoin-test";
/** The client id accepted as `aud` (v2 form). */
export const TEST_CLIENT_ID = "6f1c2a3b-0000-4000-8000-0000000c11e0";
export const TEST_AUDIENCES = [TEST_AUDIENCE, TEST_CLIENT_ID];

/** A realm with test defaults: active, device-ca trust, Graph-less. */
export function testRealm(id: string, overrides: Partial<Realm> = {}): Realm {
  return { id, name: id, status: "active", deviceTrust: "device-ca", noGraph: true, createdAt: "2026-01-01T00:00:00Z", ...overrides };
}

/** A RealmLookup over a fixed, editable list. */
export class StaticRealmLookup implements RealmLookup {
  private readonly byId = new Map<string, Realm>();
  constructor(realms: Realm[] = []) {
    for (const r of realms) this.put(r);
  }
  put(realm: Realm): void {
    this.byId.set(realm.id.toLowerCase(), realm);
  }
  async get(tenantId: string): Promise<Realm | undefined> {
    return this.byId.get(tenantId.toLowerCase());
  }
}

/** The dev identity provider served over HTTP on 127.0.0.1, counting metadata and key-set requests. */
export interface TestIdentityProvider {
  idp: DevIdentityProvider;
  /** Pass as AccessTokenSettings.authority. */
  authority: string;
  /** Pass as AccessTokenSettings.v1IssuerBase. */
  v1IssuerBase: string;
  hits: { metadata: number; jwks: number };
  /** Extra public keys served next to the provider's own (key rotation tests). */
  extraKeys: JWK[];
  /** A user token; defaults: random oid, v2, TEST_CLIENT_ID audience for v2 and TEST_AUDIENCE for v1, no roles. */
  mintUserToken(input: Partial<MintAccessTokenInput> & { tenantId: string }): Promise<string>;
  /** A user token with RealmJoin.Admin. */
  mintAdminToken(tenantId: string, oid?: string): Promise<string>;
  close(): Promise<void>;
}

/** Starts a TestIdentityProvider; keys live in a temporary folder removed by close(). */
export async function startTestIdentityProvider(clock: Clock = new ManualClock(Date.now())): Promise<TestIdentityProvider> {
  const dataDir = await mkdtemp(join(tmpdir(), "rj-idp-"));
  const hits = { metadata: 0, jwks: 0 };
  const extraKeys: JWK[] = [];
  let idp: DevIdentityProvider | undefined = undefined;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const meta = /^\/idp\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    let body: unknown;
    if (idp !== undefined && path === `/idp${DEV_IDP_JWKS_PATH}`) {
      hits.jwks++;
      body = { keys: [...idp.jwks().keys, ...extraKeys] };
    } else if (idp !== undefined && meta?.[1] !== undefined) {
      hits.metadata++;
      body = idp.openIdConfiguration(meta[1]);
    }
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const authority = `http://127.0.0.1:${port}/idp`;
  const provider = await DevIdentityProvider.open({ dataDir, issuerBase: authority, clock });
  idp = provider;

  const mintUserToken = (input: Partial<MintAccessTokenInput> & { tenantId: string }) => {
    const version = input.version ?? 2;
    return provider.mintAccessToken({
      oid: randomUUID(),
      upn: "user@contoso.example",
      name: "Test User",
      audience: version === 1 ? TEST_AUDIENCE : TEST_CLIENT_ID,
      version,
      scp: AGENT_SCOPE,
      ...input,
    });
  };
  return {
    idp: provider,
    authority,
    v1IssuerBase: provider.v1IssuerBase,
    hits,
    extraKeys,
    mintUserToken,
    mintAdminToken: (tenantId, oid) => mintUserToken({ tenantId, roles: [ADMIN_ROLE], ...(oid === undefined ? {} : { oid }) }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A device CA in a temporary folder; call remove() when done. */
export async function openTestDeviceCa(clock: Clock = new ManualClock(Date.now())): Promise<DevDeviceCa & { remove(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), "rj-ca-"));
  const ca = await DevDeviceCa.open({ dataDir, clock });
  return Object.assign(ca, { remove: () => rm(dataDir, { recursive: true, force: true }) });
}

/** A device key pair with a certificate from `ca`. */
export interface TestDevice {
  deviceId: string;
  keyPem: string;
  certPem: string;
  thumbprint: string;
  alg: "ES256" | "PS256" | "RS256";
}

/** Creates a device (random id unless given) with a fresh key certified by `ca`. */
export async function createTestDevice(
  ca: DevDeviceCa,
  options: { alg?: TestDevice["alg"]; deviceId?: string; notBefore?: Date; notAfter?: Date } = {},
): Promise<TestDevice> {
  const alg = options.alg ?? "ES256";
  const deviceId = options.deviceId ?? randomUUID();
  const issued = await ca.issueDeviceCertificate(deviceId, { generate: alg }, {
    ...(options.notBefore === undefined ? {} : { notBefore: options.notBefore }),
    ...(options.notAfter === undefined ? {} : { notAfter: options.notAfter }),
  });
  if (issued.keyPem === undefined) throw new Error("CA did not return a generated key");
  return { deviceId, keyPem: issued.keyPem, certPem: issued.certPem, thumbprint: issued.thumbprint, alg };
}

/** A fresh single-use assertion of `device` for `tenantId` (audience TEST_AUDIENCE unless given). */
export function deviceAssertionFor(
  device: TestDevice,
  tenantId: string,
  options: { audience?: string; nowMs?: number; lifetimeSeconds?: number; jti?: string; deviceId?: string; request?: { method: string; url: string } } = {},
): Promise<string> {
  return createDeviceAssertion({
    keyPem: device.keyPem,
    certPem: device.certPem,
    alg: device.alg,
    tenantId,
    deviceId: options.deviceId ?? device.deviceId,
    audience: options.audience ?? TEST_AUDIENCE,
    ...(options.nowMs === undefined ? {} : { nowMs: options.nowMs }),
    ...(options.lifetimeSeconds === undefined ? {} : { lifetimeSeconds: options.lifetimeSeconds }),
    ...(options.jti === undefined ? {} : { jti: options.jti }),
    ...(options.request === undefined ? {} : { request: options.request }),
  });
}

/** Everything an Authenticator needs, wired to a TestIdentityProvider with in-memory stores unless given. */
export interface TestAuth {
  authenticator: Authenticator;
  users: AccessTokenValidator;
  devices: DeviceAssertionValidator;
  replayCache: ReplayCache;
  pins: DevicePinStore;
}

/** Builds validators and an Authenticator as the app would, with test settings (audiences TEST_AUDIENCES, operator tenant TEST_TENANTS.operator). */
export function createTestAuth(deps: {
  idp: TestIdentityProvider;
  realms: RealmLookup;
  clock?: Clock;
  replayCache?: ReplayCache;
  pins?: DevicePinStore;
  /** Which devices pinned-trust realms may pin; default: every device id (the tests of pre-enrolment pass their own). */
  knownDevices?: KnownDevices;
  graphTrust?: DeviceCertificateTrust;
  logger?: AuthLogger;
  jwks?: JwksRegistry;
}): TestAuth {
  const clock = deps.clock ?? new ManualClock(Date.now());
  const replayCache = deps.replayCache ?? new MemoryReplayCache(clock);
  const pins = deps.pins ?? new MemoryDevicePinStore();
  const users = new AccessTokenValidator({
    settings: { authority: deps.idp.authority, v1IssuerBase: deps.idp.v1IssuerBase, audiences: TEST_AUDIENCES, operatorTenantId: TEST_TENANTS.operator },
    realms: deps.realms,
    clock,
    ...(deps.jwks === undefined ? {} : { jwks: deps.jwks }),
  });
  const devices = new DeviceAssertionValidator({
    settings: { audiences: TEST_AUDIENCES },
    realms: deps.realms,
    clock,
    replayCache,
    pins,
    knownDevices: deps.knownDevices ?? { isKnown: async () => true },
    ...(deps.graphTrust === undefined ? {} : { graphTrust: deps.graphTrust }),
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
  });
  return { authenticator: new Authenticator(users, devices), users, devices, replayCache, pins };
}

/** A header source for Authenticator.authenticate. */
export function headersOf(values: { bearer?: string; assertion?: string } = {}): Headers {
  const h = new Headers();
  if (values.bearer !== undefined) h.set("authorization", `Bearer ${values.bearer}`);
  if (values.assertion !== undefined) h.set("x-rj-device-assertion", values.assertion);
  return h;
}
