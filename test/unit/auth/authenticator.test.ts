import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { ManualClock } from "../../../lib/core/clock.js";
import { OPERATOR_ROLE, type AuthRequirement } from "../../../lib/auth/principals.js";
import type { DevDeviceCa } from "../../../lib/auth/dev-device-ca.js";
import {
  StaticRealmLookup,
  TEST_TENANTS,
  createTestAuth,
  createTestDevice,
  deviceAssertionFor,
  headersOf,
  openTestDeviceCa,
  startTestIdentityProvider,
  testRealm,
  type TestIdentityProvider,
} from "../../support/identity-fixtures.js";
import { rejectionOf as refusal } from "../../support/app-error.js";

const CONTOSO = TEST_TENANTS.contoso;
const FABRIKAM = TEST_TENANTS.fabrikam;
const PINNED = "6f1c2a3b-0000-4000-8000-0000000f1ed0";

const clock = new ManualClock(Date.now());
let idp: TestIdentityProvider;
let ca: DevDeviceCa & { remove(): Promise<void> };
let realms: StaticRealmLookup;

beforeAll(async () => {
  idp = await startTestIdentityProvider(clock);
  ca = await openTestDeviceCa(clock);
  realms = new StaticRealmLookup([
    testRealm(CONTOSO, { deviceCaPem: ca.caPem() }),
    testRealm(FABRIKAM, { deviceCaPem: ca.caPem() }),
    testRealm(TEST_TENANTS.operator, { deviceCaPem: ca.caPem() }),
    testRealm(PINNED, { deviceTrust: "pinned" }),
  ]);
});
afterAll(async () => {
  await idp.close();
  await ca.remove();
});

const auth = () => createTestAuth({ idp, realms, clock });
const assertion = async (tenantId: string, device?: Awaited<ReturnType<typeof createTestDevice>>) =>
  deviceAssertionFor(device ?? (await createTestDevice(ca)), tenantId, { nowMs: clock.now() });

describe("Authenticator", () => {
  it.each<AuthRequirement>(["device", "device+user", "user", "admin", "operator"])("when no credentials come for %s, then 401", async (req) => {
    const e = await refusal(auth().authenticator.authenticate(headersOf(), req));
    expect(e.status).toBe(401);
  });

  it("when a user token comes where a device assertion is required, then 401", async () => {
    const bearer = await idp.mintUserToken({ tenantId: CONTOSO });
    expect((await refusal(auth().authenticator.authenticate(headersOf({ bearer }), "device"))).status).toBe(401);
    // Nor does a user token in the device header pass for one.
    expect((await refusal(auth().authenticator.authenticate(headersOf({ assertion: bearer }), "device"))).status).toBe(401);
  });

  it("when a device assertion comes alone for device, then the device context comes back", async () => {
    const ctx = await auth().authenticator.authenticate(headersOf({ assertion: await assertion(CONTOSO) }), "device");
    expect(ctx.realmId).toBe(CONTOSO);
    expect(ctx.device?.kind).toBe("device");
    expect(ctx.user).toBeUndefined();
  });

  it("when device and user of one realm come, then both are in the context", async () => {
    const oid = randomUUID();
    const headers = headersOf({ assertion: await assertion(CONTOSO), bearer: await idp.mintUserToken({ tenantId: CONTOSO, oid }) });
    const ctx = await auth().authenticator.authenticate(headers, "device+user");
    expect(ctx).toMatchObject({ realmId: CONTOSO, user: { userId: oid }, device: { realmId: CONTOSO } });
  });

  it("when device+user lacks the user token, then 401", async () => {
    expect((await refusal(auth().authenticator.authenticate(headersOf({ assertion: await assertion(CONTOSO) }), "device+user"))).status).toBe(401);
  });

  it("when an optional user token is invalid, then 401 rather than silently dropping it", async () => {
    const headers = headersOf({ assertion: await assertion(CONTOSO), bearer: "garbage" });
    expect((await refusal(auth().authenticator.authenticate(headers, "device"))).status).toBe(401);
  });

  it("when a Contoso user comes with a Fabrikam device, then 404", async () => {
    for (const req of ["device", "device+user"] as const) {
      const headers = headersOf({ assertion: await assertion(FABRIKAM), bearer: await idp.mintUserToken({ tenantId: CONTOSO }) });
      const e = await refusal(auth().authenticator.authenticate(headers, req));
      expect(e.kind).toBe("not-found");
    }
  });

  it("when a non-admin meets the admin requirement, then 403; an admin passes", async () => {
    const a = auth().authenticator;
    const e = await refusal(a.authenticate(headersOf({ bearer: await idp.mintUserToken({ tenantId: CONTOSO }) }), "admin"));
    expect(e.status).toBe(403);
    const ctx = await a.authenticate(headersOf({ bearer: await idp.mintAdminToken(CONTOSO) }), "admin");
    expect(ctx.user?.isAdmin).toBe(true);
    expect(ctx.realmId).toBe(CONTOSO);
  });

  it("when the operator role comes from a non-operator tenant, then it is ignored (403); from the operator tenant it passes", async () => {
    const a = auth().authenticator;
    const elsewhere = await idp.mintUserToken({ tenantId: CONTOSO, roles: [OPERATOR_ROLE] });
    expect((await refusal(a.authenticate(headersOf({ bearer: elsewhere }), "operator"))).status).toBe(403);
    const home = await idp.mintUserToken({ tenantId: TEST_TENANTS.operator, roles: [OPERATOR_ROLE] });
    expect((await a.authenticate(headersOf({ bearer: home }), "operator")).user?.isOperator).toBe(true);
  });

  it("when the authorization scheme is not Bearer, then 401", async () => {
    const h = new Headers({ authorization: "Basic dXNlcjpwYXNz" });
    expect((await refusal(auth().authenticator.authenticate(h, "user"))).status).toBe(401);
  });

  describe("first-use pinning at enrolment", () => {
    it("when an unpinned device enrols with a user of its realm, then it is pinned and later passes alone", async () => {
      const t = auth();
      const device = await createTestDevice(ca);
      const headers = headersOf({ assertion: await assertion(PINNED, device), bearer: await idp.mintUserToken({ tenantId: PINNED }) });
      await t.authenticator.authenticate(headers, "device", { allowPinOnFirstUse: true });
      expect(await t.pins.getPin(PINNED, device.deviceId)).toBe(device.thumbprint);
      const later = await t.authenticator.authenticate(headersOf({ assertion: await assertion(PINNED, device) }), "device");
      expect(later.device?.thumbprint).toBe(device.thumbprint);
    });

    it("when an unpinned device enrols without a user, then 401 and nothing is pinned", async () => {
      const t = auth();
      const device = await createTestDevice(ca);
      const e = await refusal(t.authenticator.authenticate(headersOf({ assertion: await assertion(PINNED, device) }), "device", { allowPinOnFirstUse: true }));
      expect(e.status).toBe(401);
      expect(await t.pins.getPin(PINNED, device.deviceId)).toBeUndefined();
    });

    it("when an unpinned device enrols with a user of another realm, then it is refused and nothing is pinned", async () => {
      const t = auth();
      const device = await createTestDevice(ca);
      const headers = headersOf({ assertion: await assertion(PINNED, device), bearer: await idp.mintUserToken({ tenantId: CONTOSO }) });
      const e = await refusal(t.authenticator.authenticate(headers, "device", { allowPinOnFirstUse: true }));
      expect(e.status).toBe(401);
      expect(await t.pins.getPin(PINNED, device.deviceId)).toBeUndefined();
    });
  });
});
