import { describe, expect, it } from "vitest";
import { realmInputSchema, tenantIdParam } from "../../../lib/realms/realm-input.js";
import { AppError } from "../../../lib/core/errors.js";
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

describe("the tenant id of a path", () => {
  it("when it is a GUID in upper case, then it comes back lowercase", () => {
    expect(tenantIdParam("AAAAAAAA-1111-4111-8111-111111111111")).toBe("aaaaaaaa-1111-4111-8111-111111111111");
  });

  it("when it is not a GUID, then a validation error", () => {
    expect(() => tenantIdParam("contoso")).toThrow(AppError);
  });
});
