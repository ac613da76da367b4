import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { exportJWK, SignJWT } from "jose";
import { ManualClock } from "../../../lib/core/clock.js";
import { AccessTokenValidator, type AccessTokenSettings } from "../../../lib/auth/access-token-validator.js";
import { JwksRegistry } from "../../../lib/auth/jwks-registry.js";
import { ADMIN_ROLE, OPERATOR_ROLE } from "../../../lib/auth/principals.js";
import {
  StaticRealmLookup,
  TEST_AUDIENCE,
  TEST_AUDIENCES,
  TEST_CLIENT_ID,
  TEST_TENANTS,
  startTestIdentityProvider,
  testRealm,
  type TestIdentityProvider,
} from "../../support/identity-fixtures.js";
import { rejectionOf as refusal } from "../../support/app-error.js";

const CONTOSO = TEST_TENANTS.contoso;
const FABRIKAM = TEST_TENANTS.fabrikam;
const UNREGISTERED = "6f1c2a3b-0000-4000-8000-0000000dead0";
const DELETED = "6f1c2a3b-0000-4000-8000-0000000de1e7";
const DISABLED = "6f1c2a3b-0000-4000-8000-0000000d15ab";

const clock = new ManualClock(Date.now());
const realms = new StaticRealmLookup([
  testRealm(CONTOSO),
  testRealm(FABRIKAM),
  testRealm(TEST_TENANTS.operator),
  testRealm(DELETED, { status: "deleted" }),
  testRealm(DISABLED, { status: "disabled" }),
]);
let idp: TestIdentityProvider;

beforeAll(async () => {
  idp = await startTestIdentityProvider(clock);
});
afterAll(async () => idp.close());

function validator(jwks = new JwksRegistry()): AccessTokenValidator {
  const settings: AccessTokenSettings = {
    authority: idp.authority,
    v1IssuerBase: idp.v1IssuerBase,
    audiences: TEST_AUDIENCES,
    operatorTenantId: TEST_TENANTS.operator,
  };
  return new AccessTokenValidator({ settings, realms, clock, jwks });
}

/** An RSA key the test controls, published in the provider's key set. */
function extraKey(kid: string, issuer?: string): { privateKey: KeyObject; publish(): Promise<void> } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKey,
    publish: async () => {
      const jwk = await exportJWK(publicKey);
      idp.extraKeys.push({ ...jwk, kid, use: "sig", ...(issuer === undefined ? {} : { issuer }) });
    },
  };
}

function entraClaims(tid: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(clock.now() / 1000);
  return {
    iss: `${idp.authority}/${tid}/v2.0`,
    aud: TEST_CLIENT_ID,
    tid,
    oid: randomUUID(),
    scp: "access_as_agent",
    iat: now,
    nbf: now,
    exp: now + 3600,
    ver: "2.0",
    ...overrides,
  };
}

const sign = (key: KeyObject, kid: string, claims: Record<string, unknown>, alg = "RS256") =>
  new SignJWT(claims).setProtectedHeader({ alg, kid, typ: "JWT" }).sign(key);

describe("AccessTokenValidator", () => {
  it("when a v2 token of a registered realm is valid, then the user principal comes back", async () => {
    const oid = randomUUID();
    const token = await idp.mintUserToken({ tenantId: CONTOSO, oid, upn: "ada@contoso.example", name: "Ada" });
    const user = await validator().validate(token);
    expect(user).toEqual({
      kind: "user",
      realmId: CONTOSO,
      userId: oid,
      upn: "ada@contoso.example",
      name: "Ada",
      roles: [],
      isAdmin: false,
      isOperator: false,
    });
  });

  it("when a v1 token (sts issuer, app id URI audience) is valid, then it is accepted", async () => {
    const token = await idp.mintUserToken({ tenantId: CONTOSO, version: 1, upn: "v1@contoso.example" });
    const user = await validator().validate(token);
    expect(user.realmId).toBe(CONTOSO);
    expect(user.upn).toBe("v1@contoso.example");
  });

  it("when the token holds RealmJoin.Admin, then the user is an admin", async () => {
    const user = await validator().validate(await idp.mintAdminToken(CONTOSO));
    expect(user.isAdmin).toBe(true);
    expect(user.roles).toEqual([ADMIN_ROLE]);
  });

  it("when RealmJoin.Operator comes from a non-operator tenant, then it is ignored; from the operator tenant it counts", async () => {
    const v = validator();
    const elsewhere = await v.validate(await idp.mintUserToken({ tenantId: CONTOSO, roles: [OPERATOR_ROLE] }));
    expect(elsewhere.isOperator).toBe(false);
    const home = await v.validate(await idp.mintUserToken({ tenantId: TEST_TENANTS.operator, roles: [OPERATOR_ROLE] }));
    expect(home.isOperator).toBe(true);
  });

  it.each([["not-a-token"], ["a.b.c"], ["eyJhbGciOiJSUzI1NiJ9.e30"], [""]])("when the token is malformed (%s), then 401", async (token) => {
    const e = await refusal(validator().validate(token));
    expect(e.status).toBe(401);
  });

  it("when alg is none, then 401", async () => {
    const real = await idp.mintUserToken({ tenantId: CONTOSO });
    const payload = real.split(".")[1];
    const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    const e = await refusal(validator().validate(`${header}.${payload}.`));
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/algorithm/);
  });

  it("when the token is HS256-signed with the published public key bytes, then 401", async () => {
    const jwk = idp.idp.jwks().keys[0];
    if (jwk?.kid === undefined) throw new Error("no key");
    const pem = createPublicKey({ key: jwk as import("node:crypto").JsonWebKey, format: "jwk" }).export({ type: "spki", format: "pem" });
    const token = await new SignJWT(entraClaims(CONTOSO))
      .setProtectedHeader({ alg: "HS256", kid: jwk.kid })
      .sign(new Uint8Array(Buffer.from(pem)));
    const e = await refusal(validator().validate(token));
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/algorithm/);
  });

  it("when the payload is tampered with, then 401 and the detail does not echo the token", async () => {
    const real = await idp.mintUserToken({ tenantId: CONTOSO });
    const [h, p, s] = real.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, "base64url").toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, roles: [ADMIN_ROLE] })).toString("base64url")}.${s}`;
    const e = await refusal(validator().validate(forged));
    expect(e.status).toBe(401);
    expect(e.message).not.toContain(s);
    expect(e.message.length).toBeLessThan(100);
  });

  it("when forged kids arrive repeatedly, then each is refused and the key set is fetched only once within the cooldown", async () => {
    const v = validator();
    await v.validate(await idp.mintUserToken({ tenantId: CONTOSO }));
    const before = idp.hits.jwks;
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    for (let i = 0; i < 5; i++) {
      const e = await refusal(v.validate(await sign(privateKey, `forged-${i}`, entraClaims(CONTOSO))));
      expect(e.status).toBe(401);
      expect(e.message).toMatch(/key is unknown/);
    }
    expect(idp.hits.jwks).toBe(before);
  });

  it("when an unknown kid arrives after the cooldown, then the key set is refreshed and a rotated-in key is accepted", async () => {
    const v = validator(new JwksRegistry({ cooldownMs: 0 }));
    await v.validate(await idp.mintUserToken({ tenantId: CONTOSO }));
    const before = idp.hits.jwks;
    const rotated = extraKey(`rotated-${randomUUID()}`, `${idp.authority}/{tenantid}/v2.0`);
    await rotated.publish();
    const kid = idp.extraKeys.at(-1)?.kid ?? "";
    const user = await v.validate(await sign(rotated.privateKey, kid, entraClaims(CONTOSO)));
    expect(user.realmId).toBe(CONTOSO);
    expect(idp.hits.jwks).toBe(before + 1);
  });

  it("when the token expired beyond the 5-minute skew, then 401; within the skew it passes", async () => {
    const now = clock.now();
    const late = await idp.mintUserToken({ tenantId: CONTOSO, issuedAtMs: now - 3600_000 - 6 * 60_000, lifetimeSeconds: 3600 });
    expect((await refusal(validator().validate(late))).status).toBe(401);
    const justLate = await idp.mintUserToken({ tenantId: CONTOSO, issuedAtMs: now - 3600_000 - 4 * 60_000, lifetimeSeconds: 3600 });
    expect((await validator().validate(justLate)).realmId).toBe(CONTOSO);
  });

  it("when nbf is in the future beyond the skew, then 401", async () => {
    const token = await idp.mintUserToken({ tenantId: CONTOSO, nbfMs: clock.now() + 10 * 60_000 });
    expect((await refusal(validator().validate(token))).status).toBe(401);
  });

  it("when aud is not a configured audience, then 401", async () => {
    const token = await idp.mintUserToken({ tenantId: CONTOSO, audience: "api://someone-else" });
    expect((await refusal(validator().validate(token))).status).toBe(401);
  });

  it("when the tenant is not registered, then 401 without fetching its metadata", async () => {
    const before = idp.hits.metadata;
    const token = await idp.mintUserToken({ tenantId: UNREGISTERED });
    expect((await refusal(validator().validate(token))).status).toBe(401);
    expect(idp.hits.metadata).toBe(before);
  });

  it("when the realm is deleted, then 401", async () => {
    const token = await idp.mintUserToken({ tenantId: DELETED });
    expect((await refusal(validator().validate(token))).status).toBe(401);
  });

  it("when the realm is disabled, then 403 realm-disabled", async () => {
    const e = await refusal(validator().validate(await idp.mintUserToken({ tenantId: DISABLED })));
    expect(e.status).toBe(403);
    expect(e.code).toBe("realm-disabled");
  });

  it("when a v2 issuer names another tenant than tid, then 401", async () => {
    const key = extraKey(`k-${randomUUID()}`);
    await key.publish();
    const kid = idp.extraKeys.at(-1)?.kid ?? "";
    const token = await sign(key.privateKey, kid, entraClaims(CONTOSO, { iss: `${idp.authority}/${FABRIKAM}/v2.0` }));
    const e = await refusal(validator().validate(token));
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/issuer/);
    // The same key with a matching issuer is fine, so the refusal is the issuer's doing.
    expect((await validator().validate(await sign(key.privateKey, kid, entraClaims(CONTOSO)))).realmId).toBe(CONTOSO);
  });

  it("when the signing key's issuer names another tenant, then 401", async () => {
    const key = extraKey(`k-${randomUUID()}`, `${idp.authority}/${FABRIKAM}/v2.0`);
    await key.publish();
    const kid = idp.extraKeys.at(-1)?.kid ?? "";
    const e = await refusal(validator(new JwksRegistry({ cooldownMs: 0 })).validate(await sign(key.privateKey, kid, entraClaims(CONTOSO))));
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/another issuer/);
  });

  it("when the token has no scp (an ID token or app-only token), then 401", async () => {
    const key = extraKey(`k-${randomUUID()}`);
    await key.publish();
    const kid = idp.extraKeys.at(-1)?.kid ?? "";
    const claims = entraClaims(CONTOSO);
    delete claims.scp;
    const e = await refusal(validator().validate(await sign(key.privateKey, kid, claims)));
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/delegated/);
  });

  it("when an agent route gets a token whose scp lacks access_as_agent, then 403 insufficient-scope; with it among other scopes, it passes", async () => {
    const other = await idp.mintUserToken({ tenantId: CONTOSO, scp: "User.Read openid" });
    for (const requirement of ["device", "device+user"] as const) {
      const e = await refusal(validator().validate(other, { requirement }));
      expect(e.status).toBe(403);
      expect(e.code).toBe("insufficient-scope");
    }
    const prefixed = await idp.mintUserToken({ tenantId: CONTOSO, scp: "access_as_agent_x" });
    expect((await refusal(validator().validate(prefixed, { requirement: "device" }))).status).toBe(403);
    const listed = await idp.mintUserToken({ tenantId: CONTOSO, scp: "User.Read  access_as_agent openid" });
    expect((await validator().validate(listed, { requirement: "device+user" })).realmId).toBe(CONTOSO);
  });

  it("when an admin route gets a token without access_as_agent, then the app role decides as before", async () => {
    const admin = await idp.mintUserToken({ tenantId: CONTOSO, scp: "Admin.Manage", roles: ["RealmJoin.Admin"] });
    expect((await validator().validate(admin, { requirement: "admin" })).isAdmin).toBe(true);
  });

  it("when the token's iat is beyond the 5-minute skew in the future, then 401; within the skew it passes", async () => {
    const future = await idp.mintUserToken({ tenantId: CONTOSO, issuedAtMs: clock.now() + 301_000, nbfMs: clock.now() - 1000 });
    const e = await refusal(validator().validate(future));
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/future/);
    const skewed = await idp.mintUserToken({ tenantId: CONTOSO, issuedAtMs: clock.now() + 240_000, nbfMs: clock.now() - 1000 });
    expect((await validator().validate(skewed)).realmId).toBe(CONTOSO);
  });

  it("when the token is signed with an allowed alg other than RS256 (PS256), then it verifies", async () => {
    const key = extraKey(`k-${randomUUID()}`);
    await key.publish();
    const kid = idp.extraKeys.at(-1)?.kid ?? "";
    const user = await validator().validate(await sign(key.privateKey, kid, entraClaims(CONTOSO, { aud: TEST_AUDIENCE }), "PS256"));
    expect(user.realmId).toBe(CONTOSO);
  });
});
