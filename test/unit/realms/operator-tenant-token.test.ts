import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccessTokenValidator } from "../../../lib/auth/access-token-validator.js";
import { Authenticator } from "../../../lib/auth/authenticator.js";
import { JwksRegistry } from "../../../lib/auth/jwks-registry.js";
import { ADMIN_ROLE, OPERATOR_ROLE } from "../../../lib/auth/principals.js";
import { ManualClock } from "../../../lib/core/clock.js";
import { AppError } from "../../../lib/core/errors.js";
import {
  StaticRealmLookup,
  TEST_AUDIENCES,
  TEST_TENANTS,
  startTestIdentityProvider,
  testRealm,
  type TestIdentityProvider,
} from "../../support/identity-fixtures.js";
import type { DeviceAssertionValidator } from "../../../lib/auth/device-assertion-validator.js";

const OPERATOR_TENANT = TEST_TENANTS.operator;
const clock = new ManualClock(Date.now());
let idp: TestIdentityProvider;

beforeAll(async () => {
  idp = await startTestIdentityProvider(clock);
});
afterAll(async () => idp.close());

// The operator tenant is deliberately not a realm here: only the customer realm Contoso is registered.
function validator(): AccessTokenValidator {
  return new AccessTokenValidator({
    settings: { authority: idp.authority, v1IssuerBase: idp.v1IssuerBase, audiences: TEST_AUDIENCES, operatorTenantId: OPERATOR_TENANT },
    realms: new StaticRealmLookup([testRealm(TEST_TENANTS.contoso)]),
    clock,
    jwks: new JwksRegistry(),
  });
}

async function status(p: Promise<unknown>): Promise<number> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof AppError)) throw new Error(`expected an AppError, got ${String(e)}`);
  return e.status;
}

describe("an operator tenant that is not a customer realm", () => {
  it("when an operator's token comes for the operator requirement, then it is valid and marks an operator who is no admin", async () => {
    const token = await idp.mintUserToken({ tenantId: OPERATOR_TENANT, roles: [OPERATOR_ROLE, ADMIN_ROLE] });
    const user = await validator().validate(token, { requirement: "operator" });
    expect(user).toMatchObject({ realmId: OPERATOR_TENANT, isOperator: true, isAdmin: false });
  });

  it.each(["user", "admin", "device", "device+user"] as const)("when an operator's token comes for the %s requirement, then 401", async (requirement) => {
    const token = await idp.mintUserToken({ tenantId: OPERATOR_TENANT, roles: [OPERATOR_ROLE] });
    expect(await status(validator().validate(token, { requirement }))).toBe(401);
  });

  it("when a token of the operator tenant lacks the operator role, then 401 as for any unregistered tenant", async () => {
    const token = await idp.mintUserToken({ tenantId: OPERATOR_TENANT, roles: [ADMIN_ROLE] });
    expect(await status(validator().validate(token))).toBe(401);
  });

  it("when another unregistered tenant carries the operator role, then 401", async () => {
    const token = await idp.mintUserToken({ tenantId: "6f1c2a3b-0000-4000-8000-00000000abcd", roles: [OPERATOR_ROLE] });
    expect(await status(validator().validate(token, { requirement: "operator" }))).toBe(401);
  });

  it("when the authenticator checks an operator route, then the operator passes, a customer admin gets 403, and the operator is unknown (401) on admin routes", async () => {
    const devices = {} as DeviceAssertionValidator;
    const auth = new Authenticator(validator(), devices);
    const operator = await idp.mintUserToken({ tenantId: OPERATOR_TENANT, roles: [OPERATOR_ROLE] });
    const ctx = await auth.authenticate(new Headers({ authorization: `Bearer ${operator}` }), "operator");
    expect(ctx.user?.isOperator).toBe(true);
    const admin = await idp.mintAdminToken(TEST_TENANTS.contoso);
    expect(await status(auth.authenticate(new Headers({ authorization: `Bearer ${admin}` }), "operator"))).toBe(403);
    expect(await status(auth.authenticate(new Headers({ authorization: `Bearer ${operator}` }), "admin"))).toBe(401);
  });
});
