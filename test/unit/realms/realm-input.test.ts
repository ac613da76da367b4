import { describe, expect, it } from "vitest";
import { deviceTrustOptions, realmInputSchema, resolveRealmInput, tenantIdParam } from "../../../lib/realms/realm-input.js";
import { AppError } from "../../../lib/core/errors.js";
import { thrownBy } from "../../support/app-error.js";
import { openTestDeviceCa } from "../../support/identity-fixtures.js";

describe("the realm body", () => {
  it("when device-ca trust comes with a certificate bundle, then it is accepted", async () => {
    const ca = await openTestDeviceCa();
    try {
      const parsed = realmInputSchema.safeParse({ name: "Northwind", deviceTrust: "device-ca", deviceCaPem: ca.caPem(), noGraph: true });
      expect(parsed.success).toBe(true);
    } finally {
      await ca.remove();
    }
  });

  it.each([
    ["device-ca without a PEM", { name: "N", deviceTrust: "device-ca", noGraph: false }],
    ["device-ca with no certificate in the PEM", { name: "N", deviceTrust: "device-ca", deviceCaPem: "garbage", noGraph: false }],
    ["a PEM with another trust", { name: "N", deviceTrust: "pinned", deviceCaPem: "x", noGraph: false }],
    ["graph trust in a noGraph realm", { name: "N", deviceTrust: "graph", noGraph: true }],
    ["an empty name", { name: "  ", deviceTrust: "pinned", noGraph: false }],
    ["an unknown field", { name: "N", deviceTrust: "pinned", noGraph: false, status: "active" }],
    ["an unknown trust", { name: "N", deviceTrust: "any", noGraph: false }],
  ])("when the body has %s, then it is refused", (_what, body) => {
    expect(realmInputSchema.safeParse(body).success).toBe(false);
  });

  it("when the PEM carries a private key, then it is refused", async () => {
    const ca = await openTestDeviceCa();
    try {
      const pem = `${ca.caPem()}\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n`;
      expect(realmInputSchema.safeParse({ name: "N", deviceTrust: "device-ca", deviceCaPem: pem, noGraph: false }).success).toBe(false);
    } finally {
      await ca.remove();
    }
  });
});

describe("the device trust a deployment gives a realm", () => {
  const withoutGraph = { graphAvailable: false };
  const withGraph = { graphAvailable: true };

  it("when the deployment has no Graph app and graph trust is asked for, then it is refused with 400 graph-not-configured", () => {
    const error = thrownBy(() => resolveRealmInput({ name: "N", deviceTrust: "graph", noGraph: false }, withoutGraph));
    expect(error).toMatchObject({ status: 400, code: "graph-not-configured" });
    expect(error.message).toContain("RJ_GRAPH_APP_CLIENT_ID");
  });

  it("when the deployment has no Graph app and no trust is asked for, then a CA bundle gives device-ca and none gives pinned", () => {
    expect(resolveRealmInput({ name: "N", noGraph: false }, withoutGraph).deviceTrust).toBe("pinned");
    expect(resolveRealmInput({ name: "N", noGraph: false, deviceCaPem: "PEM" }, withoutGraph).deviceTrust).toBe("device-ca");
  });

  it("when the deployment has Graph, then the default is graph for Graph realms and pinned for NoGraph realms", () => {
    expect(resolveRealmInput({ name: "N", noGraph: false }, withGraph).deviceTrust).toBe("graph");
    expect(resolveRealmInput({ name: "N", noGraph: true }, withGraph).deviceTrust).toBe("pinned");
    expect(resolveRealmInput({ name: "N", deviceTrust: "graph", noGraph: false }, withGraph).deviceTrust).toBe("graph");
  });

  it("when settings carry a Graph app or the local host's dev identity provider, then graph trust is available, else not", () => {
    const graphApp = "5b0f7c1e-6a55-4f0e-9d57-0a2b7a3e9c11";
    expect(deviceTrustOptions({ RJ_GRAPH_APP_CLIENT_ID: undefined, RJ_DEV_IDENTITY_PROVIDER: false }).graphAvailable).toBe(false);
    expect(deviceTrustOptions({ RJ_GRAPH_APP_CLIENT_ID: graphApp, RJ_DEV_IDENTITY_PROVIDER: false }).graphAvailable).toBe(true);
    expect(deviceTrustOptions({ RJ_GRAPH_APP_CLIENT_ID: undefined, RJ_DEV_IDENTITY_PROVIDER: true }).graphAvailable).toBe(true);
  });

  it("when the body leaves the trust out but sends a CA bundle, then the schema accepts it", async () => {
    const ca = await openTestDeviceCa();
    try {
      expect(realmInputSchema.safeParse({ name: "N", deviceCaPem: ca.caPem(), noGraph: true }).success).toBe(true);
    } finally {
      await ca.remove();
    }
  });
});

describe("the tenant id of a path", () => {
  it("when it is a GUID in upper case, then it comes back lowercase", () => {
    expect(tenantIdParam("AAAAAAAA-1111-4111-8111-111111111111")).toBe("aaaaaaaa-1111-4111-8111-111111111111");
  });

  it("when it is not a GUID, then a validation error", () => {
    expect(() => tenantIdParam("contoso")).toThrow(AppError);
  });
});
