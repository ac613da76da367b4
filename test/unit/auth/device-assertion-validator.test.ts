import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { importPKCS8, SignJWT } from "jose";
import { ManualClock } from "../../../lib/core/clock.js";
import { DeviceAssertionValidator } from "../../../lib/auth/device-assertion-validator.js";
import { certificateBase64 } from "../../../lib/auth/device-assertion-client.js";
import { MemoryDevicePinStore, type DeviceCertificateTrust } from "../../../lib/auth/device-trust.js";
import { MemoryReplayCache } from "../../../lib/auth/replay-cache.js";
import type { AuthLogger } from "../../../lib/auth/auth-logger.js";
import type { DevDeviceCa } from "../../../lib/auth/dev-device-ca.js";
import { sha256Hex } from "../../../lib/auth/device-certificate.js";
import {
  StaticRealmLookup,
  TEST_AUDIENCE,
  TEST_AUDIENCES,
  TEST_TENANTS,
  createTestDevice,
  deviceAssertionFor,
  openTestDeviceCa,
  testRealm,
  type TestDevice,
} from "../../support/identity-fixtures.js";
import { rejectionOf as refusal } from "../../support/app-error.js";

const CONTOSO = TEST_TENANTS.contoso; // device-ca
const FABRIKAM = TEST_TENANTS.fabrikam; // pinned
const GRAPHY = "6f1c2a3b-0000-4000-8000-00000000a9a1"; // graph
const DISABLED = "6f1c2a3b-0000-4000-8000-0000000d15ab";
const UNREGISTERED = "6f1c2a3b-0000-4000-8000-0000000dead0";

const clock = new ManualClock(Date.now());
let ca: DevDeviceCa & { remove(): Promise<void> };
let rogueCa: DevDeviceCa & { remove(): Promise<void> };
let realms: StaticRealmLookup;

beforeAll(async () => {
  ca = await openTestDeviceCa(clock);
  rogueCa = await openTestDeviceCa(clock);
  realms = new StaticRealmLookup([
    testRealm(CONTOSO, { deviceTrust: "device-ca", deviceCaPem: ca.caPem() }),
    testRealm(FABRIKAM, { deviceTrust: "pinned" }),
    testRealm(GRAPHY, { deviceTrust: "graph", noGraph: false }),
    testRealm(DISABLED, { status: "disabled", deviceCaPem: ca.caPem() }),
  ]);
});
afterAll(async () => {
  await ca.remove();
  await rogueCa.remove();
});

function setup(extra: { graphTrust?: DeviceCertificateTrust; known?: Set<string>; publicBaseUrl?: string } = {}) {
  const warnings: { message: string; properties: Record<string, unknown> }[] = [];
  const logger: AuthLogger = { warn: (message, properties) => warnings.push({ message, properties }) };
  const replayCache = new MemoryReplayCache(clock);
  const pins = new MemoryDevicePinStore();
  const { known, publicBaseUrl, ...trust } = extra;
  const validator = new DeviceAssertionValidator({
    settings: { audiences: TEST_AUDIENCES, ...(publicBaseUrl === undefined ? {} : { publicBaseUrl }) },
    realms,
    clock,
    replayCache,
    pins,
    knownDevices: { isKnown: async (_realm, deviceId) => known === undefined || known.has(deviceId) },
    logger,
    ...trust,
  });
  return { validator, warnings, pins, replayCache };
}

const now = () => clock.now();

describe("DeviceAssertionValidator", () => {
  it.each(["ES256", "PS256", "RS256"] as const)("when a %s device of a device-ca realm presents a valid assertion, then the device principal comes back", async (alg) => {
    const device = await createTestDevice(ca, { alg });
    const principal = await setup().validator.validate(await deviceAssertionFor(device, CONTOSO, { nowMs: now() }));
    expect(principal).toMatchObject({ kind: "device", realmId: CONTOSO, deviceId: device.deviceId, thumbprint: device.thumbprint });
    expect(principal.certificatePem).toContain("BEGIN CERTIFICATE");
  });

  it("when the device id is upper-case in the certificate and the claim, then it is compared case-insensitively and lowercased", async () => {
    const deviceId = randomUUID().toUpperCase();
    const device = await createTestDevice(ca, { deviceId });
    const principal = await setup().validator.validate(await deviceAssertionFor(device, CONTOSO, { nowMs: now() }));
    expect(principal.deviceId).toBe(deviceId.toLowerCase());
  });

  it("when the certificate CN differs from sub, then 401", async () => {
    const device = await createTestDevice(ca);
    const e = await refusal(setup().validator.validate(await deviceAssertionFor(device, CONTOSO, { nowMs: now(), deviceId: randomUUID() })));
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/does not name the device/);
  });

  it("when the certificate comes from an untrusted CA, then 401", async () => {
    const device = await createTestDevice(rogueCa);
    const e = await refusal(setup().validator.validate(await deviceAssertionFor(device, CONTOSO, { nowMs: now() })));
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/not trusted/);
  });

  it("when the certificate has expired, then 401", async () => {
    const device = await createTestDevice(ca, { notBefore: new Date(now() - 400 * 86_400_000), notAfter: new Date(now() - 86_400_000) });
    const e = await refusal(setup().validator.validate(await deviceAssertionFor(device, CONTOSO, { nowMs: now() })));
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/not currently valid/);
  });

  it("when exp - iat is over 10 minutes, then 401", async () => {
    const device = await createTestDevice(ca);
    const e = await refusal(setup().validator.validate(await deviceAssertionFor(device, CONTOSO, { nowMs: now(), lifetimeSeconds: 601 })));
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/lifetime/);
  });

  it("when the assertion expired beyond the skew, then 401", async () => {
    const device = await createTestDevice(ca);
    const e = await refusal(setup().validator.validate(await deviceAssertionFor(device, CONTOSO, { nowMs: now() - 11 * 60_000, lifetimeSeconds: 300 })));
    expect(e.status).toBe(401);
  });

  it("when iat is in the future beyond the skew, then 401", async () => {
    const device = await createTestDevice(ca);
    const e = await refusal(setup().validator.validate(await deviceAssertionFor(device, CONTOSO, { nowMs: now() + 6 * 60_000 })));
    expect(e.status).toBe(401);
  });

  it("when a jti is presented twice, then the second is a 401 replay", async () => {
    const { validator } = setup();
    const device = await createTestDevice(ca);
    const assertion = await deviceAssertionFor(device, CONTOSO, { nowMs: now() });
    await validator.validate(assertion);
    const e = await refusal(validator.validate(assertion));
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/already used/);
  });

  it("when aud is not configured, then 401", async () => {
    const device = await createTestDevice(ca);
    const e = await refusal(setup().validator.validate(await deviceAssertionFor(device, CONTOSO, { nowMs: now(), audience: "https://elsewhere" })));
    expect(e.status).toBe(401);
  });

  it("when typ is not rj-device+jwt, then 401", async () => {
    const device = await createTestDevice(ca);
    const key = await importPKCS8(device.keyPem, "ES256");
    const t = Math.floor(now() / 1000);
    const jws = await new SignJWT({ tid: CONTOSO, jti: randomUUID() })
      .setProtectedHeader({ alg: "ES256", typ: "JWT", x5c: [certificateBase64(device.certPem)] })
      .setSubject(device.deviceId)
      .setAudience(TEST_AUDIENCE)
      .setIssuedAt(t)
      .setExpirationTime(t + 300)
      .sign(key);
    expect((await refusal(setup().validator.validate(jws))).status).toBe(401);
  });

  it("when x5c carries another device's certificate than the signing key's, then 401", async () => {
    const signer = await createTestDevice(ca);
    const other = await createTestDevice(ca, { deviceId: signer.deviceId });
    const swapped: TestDevice = { ...signer, certPem: other.certPem };
    const e = await refusal(setup().validator.validate(await deviceAssertionFor(swapped, CONTOSO, { nowMs: now() })));
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/signature/);
  });

  it("when x5c is missing or garbage, then 401", async () => {
    const device = await createTestDevice(ca);
    const key = await importPKCS8(device.keyPem, "ES256");
    for (const x5c of [undefined, ["not base64 !"], ["AAAA"]]) {
      const t = Math.floor(now() / 1000);
      const jws = await new SignJWT({ tid: CONTOSO, jti: randomUUID() })
        .setProtectedHeader({ alg: "ES256", typ: "rj-device+jwt", ...(x5c === undefined ? {} : { x5c }) })
        .setSubject(device.deviceId)
        .setAudience(TEST_AUDIENCE)
        .setIssuedAt(t)
        .setExpirationTime(t + 300)
        .sign(key);
      expect((await refusal(setup().validator.validate(jws))).status).toBe(401);
    }
  });

  it("when the tenant is not registered, then 401; when disabled, then 403 realm-disabled", async () => {
    const device = await createTestDevice(ca);
    expect((await refusal(setup().validator.validate(await deviceAssertionFor(device, UNREGISTERED, { nowMs: now() })))).status).toBe(401);
    const e = await refusal(setup().validator.validate(await deviceAssertionFor(device, DISABLED, { nowMs: now() })));
    expect(e.status).toBe(403);
    expect(e.code).toBe("realm-disabled");
  });

  describe("certificates remembered across requests", () => {
    it("when a device's certificate expires between two requests, then the second is refused though the certificate was seen before", async () => {
      const { validator } = setup();
      const device = await createTestDevice(ca, { notBefore: new Date(now() - 86_400_000), notAfter: new Date(now() + 86_400_000) });
      await validator.validate(await deviceAssertionFor(device, CONTOSO, { nowMs: now() }));
      clock.advance(2 * 86_400_000);
      try {
        const e = await refusal(validator.validate(await deviceAssertionFor(device, CONTOSO, { nowMs: now() })));
        expect(e.message).toMatch(/not currently valid/);
      } finally {
        clock.advance(-2 * 86_400_000);
      }
    });

    it("when the realm's CA bundle is replaced or the realm disabled, then the next request of a seen device is refused", async () => {
      const tenant = "6f1c2a3b-0000-4000-8000-00000000ca11";
      realms.put(testRealm(tenant, { deviceTrust: "device-ca", deviceCaPem: ca.caPem() }));
      const { validator } = setup();
      const device = await createTestDevice(ca);
      await validator.validate(await deviceAssertionFor(device, tenant, { nowMs: now() }));
      await validator.validate(await deviceAssertionFor(device, tenant, { nowMs: now() }));

      realms.put(testRealm(tenant, { deviceTrust: "device-ca", deviceCaPem: rogueCa.caPem() }));
      expect((await refusal(validator.validate(await deviceAssertionFor(device, tenant, { nowMs: now() })))).message).toMatch(/not trusted/);

      realms.put(testRealm(tenant, { deviceTrust: "device-ca", deviceCaPem: ca.caPem() }));
      await validator.validate(await deviceAssertionFor(device, tenant, { nowMs: now() }));
      realms.put(testRealm(tenant, { status: "disabled", deviceTrust: "device-ca", deviceCaPem: ca.caPem() }));
      expect((await refusal(validator.validate(await deviceAssertionFor(device, tenant, { nowMs: now() })))).code).toBe("realm-disabled");
    });

    it("when another device presents a certificate of an untrusted CA after a trusted one, then it is still refused", async () => {
      const { validator } = setup();
      await validator.validate(await deviceAssertionFor(await createTestDevice(ca), CONTOSO, { nowMs: now() }));
      const rogue = await createTestDevice(rogueCa);
      expect((await refusal(validator.validate(await deviceAssertionFor(rogue, CONTOSO, { nowMs: now() })))).message).toMatch(/not trusted/);
      expect((await refusal(validator.validate(await deviceAssertionFor(rogue, CONTOSO, { nowMs: now() })))).message).toMatch(/not trusted/);
    });
  });

  describe("pinned trust", () => {
    it("when an unpinned device comes without first-use permission, then 401 and nothing is pinned", async () => {
      const { validator, pins } = setup();
      const device = await createTestDevice(ca);
      const e = await refusal(validator.validate(await deviceAssertionFor(device, FABRIKAM, { nowMs: now() })));
      expect(e.status).toBe(401);
      expect(await pins.getPin(FABRIKAM, device.deviceId)).toBeUndefined();
    });

    it("when first use pins, then the same certificate passes later without permission and another certificate is refused and logged", async () => {
      const { validator, pins, warnings } = setup();
      const device = await createTestDevice(ca);
      await validator.validate(await deviceAssertionFor(device, FABRIKAM, { nowMs: now() }), { allowPinOnFirstUse: true });
      expect(await pins.getPin(FABRIKAM, device.deviceId)).toBe(device.thumbprint);

      await validator.validate(await deviceAssertionFor(device, FABRIKAM, { nowMs: now() }));

      const impostor = await createTestDevice(rogueCa, { deviceId: device.deviceId });
      const e = await refusal(validator.validate(await deviceAssertionFor(impostor, FABRIKAM, { nowMs: now() }), { allowPinOnFirstUse: true }));
      expect(e.status).toBe(401);
      expect(await pins.getPin(FABRIKAM, device.deviceId)).toBe(device.thumbprint);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.properties).toMatchObject({ deviceId: device.deviceId, presentedThumbprint: impostor.thumbprint, pinnedThumbprint: device.thumbprint });
    });

    it("when a first-use assertion is a replay, then nothing is pinned", async () => {
      const { validator, pins, replayCache } = setup();
      const device = await createTestDevice(ca);
      const jti = randomUUID();
      await replayCache.remember(FABRIKAM, jti, now() + 600_000);
      const e = await refusal(validator.validate(await deviceAssertionFor(device, FABRIKAM, { nowMs: now(), jti }), { allowPinOnFirstUse: true }));
      expect(e.status).toBe(401);
      expect(await pins.getPin(FABRIKAM, device.deviceId)).toBeUndefined();
    });
  });

  describe("pinned trust of known devices only", () => {
    it("when a device id the realm's directory does not know comes to enrol, then 401 device-not-registered, nothing pinned and no jti kept", async () => {
      const { validator, pins, replayCache } = setup({ known: new Set() });
      const device = await createTestDevice(ca);
      const jti = randomUUID();
      const e = await refusal(validator.validate(await deviceAssertionFor(device, FABRIKAM, { nowMs: now(), jti }), { allowPinOnFirstUse: true }));
      expect(e.status).toBe(401);
      expect(e.code).toBe("device-not-registered");
      expect(await pins.getPin(FABRIKAM, device.deviceId)).toBeUndefined();
      expect(await replayCache.remember(FABRIKAM, jti, now() + 600_000)).toBe("new");
    });

    it("when a known device enrolls, then it is pinned; once the pin is cleared, a new certificate for the same id can enrol", async () => {
      const device = await createTestDevice(ca);
      const { validator, pins } = setup({ known: new Set([device.deviceId]) });
      await validator.validate(await deviceAssertionFor(device, FABRIKAM, { nowMs: now() }), { allowPinOnFirstUse: true });
      const reimaged = await createTestDevice(ca, { deviceId: device.deviceId });
      expect((await refusal(validator.validate(await deviceAssertionFor(reimaged, FABRIKAM, { nowMs: now() }), { allowPinOnFirstUse: true }))).status).toBe(401);
      expect(await pins.clearPin(FABRIKAM, device.deviceId)).toBe(true);
      expect(await pins.clearPin(FABRIKAM, device.deviceId)).toBe(false);
      await validator.validate(await deviceAssertionFor(reimaged, FABRIKAM, { nowMs: now() }), { allowPinOnFirstUse: true });
      expect(await pins.getPin(FABRIKAM, device.deviceId)).toBe(reimaged.thumbprint);
    });
  });

  describe("request binding (htm, htu)", () => {
    const URL_RECEIVED = "http://localhost:7071/api/agent/v1/config";
    const bound = async (method: string, url: string) => deviceAssertionFor(await createTestDevice(ca), CONTOSO, { nowMs: now(), request: { method, url } });

    it("when htm and htu match the request, then it passes, also with query, fragment, case and default-port differences", async () => {
      const { validator } = setup();
      await validator.validate(await bound("GET", URL_RECEIVED), { allowPinOnFirstUse: false, request: { method: "GET", url: URL_RECEIVED } });
      await validator.validate(await bound("GET", "HTTP://LOCALHOST:7071/api/agent/v1/%63onfig?x=1#f"), { allowPinOnFirstUse: false, request: { method: "GET", url: `${URL_RECEIVED}?y=2` } });
      await validator.validate(await bound("GET", "https://rj.example:443/api/agent/v1/config"), { allowPinOnFirstUse: false, request: { method: "GET", url: "https://rj.example/api/agent/v1/config" } });
    });

    it("when htm or htu differ from the request, then 401 assertion-request-mismatch and the jti is not kept", async () => {
      const { validator, replayCache } = setup();
      const cases: [string, string][] = [
        ["POST", URL_RECEIVED],
        ["GET", "http://localhost:7071/api/agent/v1/packages"],
        ["GET", "http://evil.example:7071/api/agent/v1/config"],
        ["GET", "https://localhost:7071/api/agent/v1/config"],
        ["GET", "http://localhost:7072/api/agent/v1/config"],
        ["GET", "http://localhost:7071/api/agent/v1/config/"],
      ];
      for (const [method, url] of cases) {
        const jti = randomUUID();
        const device = await createTestDevice(ca);
        const assertion = await deviceAssertionFor(device, CONTOSO, { nowMs: now(), jti, request: { method, url } });
        const e = await refusal(validator.validate(assertion, { allowPinOnFirstUse: false, request: { method: "GET", url: URL_RECEIVED } }));
        expect(e.status, `${method} ${url}`).toBe(401);
        expect(e.code).toBe("assertion-request-mismatch");
        expect(await replayCache.remember(CONTOSO, jti, now() + 600_000)).toBe("new");
      }
    });

    it("when htm or htu are not strings, then 401", async () => {
      const { validator } = setup();
      const device = await createTestDevice(ca);
      const key = await importPKCS8(device.keyPem, "ES256");
      const iat = Math.floor(now() / 1000);
      for (const claims of [{ htm: 1 }, { htu: ["http://localhost:7071/api/agent/v1/config"] }, { htu: "not a url" }]) {
        const jws = await new SignJWT({ tid: CONTOSO, ...claims })
          .setProtectedHeader({ alg: "ES256", typ: "rj-device+jwt", x5c: [certificateBase64(device.certPem)] })
          .setSubject(device.deviceId)
          .setAudience(TEST_AUDIENCES[0] ?? "")
          .setIssuedAt(iat)
          .setExpirationTime(iat + 300)
          .setJti(randomUUID())
          .sign(key);
        expect((await refusal(validator.validate(jws, { allowPinOnFirstUse: false, request: { method: "GET", url: URL_RECEIVED } }))).status).toBe(401);
      }
    });

    it("when the app sits behind a front end, then htu may name the public base URL with the request's path", async () => {
      const { validator } = setup({ publicBaseUrl: "https://rj.contoso.example/" });
      const internal = "http://rj-func.internal:8080/api/agent/v1/config";
      await validator.validate(await bound("GET", "https://rj.contoso.example/api/agent/v1/config"), { allowPinOnFirstUse: false, request: { method: "GET", url: internal } });
      await validator.validate(await bound("GET", internal), { allowPinOnFirstUse: false, request: { method: "GET", url: internal } });
      expect((await refusal(validator.validate(await bound("GET", "https://other.example/api/agent/v1/config"), { allowPinOnFirstUse: false, request: { method: "GET", url: internal } }))).status).toBe(401);
    });

    it("when an assertion carries no htm/htu, then it passes as before (both are optional)", async () => {
      const { validator } = setup();
      const device = await createTestDevice(ca);
      await validator.validate(await deviceAssertionFor(device, CONTOSO, { nowMs: now() }), { allowPinOnFirstUse: false, request: { method: "POST", url: URL_RECEIVED } });
    });
  });

  describe("refusals before writes", () => {
    it("when the beforeWrites hook refuses (a throttled device), then the jti is not kept and the same assertion passes later", async () => {
      const { validator, replayCache } = setup();
      const device = await createTestDevice(ca);
      const jti = randomUUID();
      const assertion = await deviceAssertionFor(device, CONTOSO, { nowMs: now(), jti });
      const seen: string[] = [];
      const throttle = (d: { deviceId: string }) => {
        seen.push(d.deviceId);
        throw new Error("throttled");
      };
      await expect(validator.validate(assertion, { allowPinOnFirstUse: false, beforeWrites: throttle })).rejects.toThrow("throttled");
      expect(seen).toEqual([device.deviceId]);
      expect((await validator.validate(assertion)).deviceId).toBe(device.deviceId);
      expect(await replayCache.remember(CONTOSO, jti, now() + 600_000)).toBe("replay");
    });

    it("when the assertion is invalid, then the hook is never called (an unproven device spends no one's budget)", async () => {
      const { validator } = setup();
      const device = await createTestDevice(rogueCa);
      let called = false;
      await refusal(validator.validate(await deviceAssertionFor(device, CONTOSO, { nowMs: now() }), { allowPinOnFirstUse: false, beforeWrites: () => {
        called = true;
      } }));
      expect(called).toBe(false);
    });
  });

  describe("graph trust", () => {
    it("when the directory binds the certificate to the device, then it passes; otherwise 401", async () => {
      const trusted = await createTestDevice(ca);
      const seen: { realmId: string; deviceId: string }[] = [];
      const graphTrust: DeviceCertificateTrust = {
        isTrusted: async (realmId, deviceId, der) => {
          seen.push({ realmId, deviceId });
          return deviceId === trusted.deviceId && sha256Hex(der) === trusted.thumbprint;
        },
      };
      const { validator } = setup({ graphTrust });
      expect((await validator.validate(await deviceAssertionFor(trusted, GRAPHY, { nowMs: now() }))).deviceId).toBe(trusted.deviceId);
      expect(seen[0]).toEqual({ realmId: GRAPHY, deviceId: trusted.deviceId });
      const stranger = await createTestDevice(ca);
      expect((await refusal(validator.validate(await deviceAssertionFor(stranger, GRAPHY, { nowMs: now() })))).status).toBe(401);
    });

    it("when no directory trust is configured, then graph realms' devices are refused and logged", async () => {
      const { validator, warnings } = setup();
      const device = await createTestDevice(ca);
      expect((await refusal(validator.validate(await deviceAssertionFor(device, GRAPHY, { nowMs: now() })))).status).toBe(401);
      expect(warnings).toHaveLength(1);
    });
  });
});
