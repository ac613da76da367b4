import { afterEach, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { randomUUID, X509Certificate } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { ManualClock } from "../../../lib/core/clock.js";
import { DevIdentityProvider } from "../../../lib/auth/dev-identity-provider.js";
import { DevDeviceCa } from "../../../lib/auth/dev-device-ca.js";
import { createDeviceAssertion } from "../../../lib/auth/device-assertion-client.js";
import { generateKeyPairSync } from "node:crypto";

const dirs: string[] = [];
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), "rj-dev-"));
  dirs.push(d);
  return d;
};
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const TID = "6f1c2a3b-0000-4000-8000-00000000c001";
const BASE = "http://127.0.0.1:7071/api/dev/idp";

describe("DevIdentityProvider", () => {
  it("when opened twice on one data folder, then the same key (kid) is served", async () => {
    const dataDir = await tempDir();
    const [a, b] = await Promise.all([DevIdentityProvider.open({ dataDir, issuerBase: BASE }), DevIdentityProvider.open({ dataDir, issuerBase: BASE })]);
    const c = await DevIdentityProvider.open({ dataDir, issuerBase: BASE });
    expect(a.jwks().keys[0]?.kid).toBeDefined();
    expect(b.jwks()).toEqual(a.jwks());
    expect(c.jwks()).toEqual(a.jwks());
    expect(a.jwks().keys[0]).toMatchObject({ kty: "RSA", use: "sig", issuer: `${BASE}/{tenantid}/v2.0` });
    expect(JSON.stringify(a.jwks())).not.toMatch(/"d"/);
  });

  it("when metadata is asked for, then it names the v2 issuer and the key set; non-GUID tenants get nothing", async () => {
    const idp = await DevIdentityProvider.open({ dataDir: await tempDir(), issuerBase: BASE });
    expect(idp.openIdConfiguration(TID)).toMatchObject({ issuer: `${BASE}/${TID}/v2.0`, jwks_uri: `${BASE}/discovery/v2.0/keys` });
    expect(idp.openIdConfiguration("common")).toBeUndefined();
  });

  it("when tokens are minted, then they carry Entra's v2 and v1 claim shapes", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const idp = await DevIdentityProvider.open({ dataDir: await tempDir(), issuerBase: BASE, clock });
    const oid = randomUUID();
    const input = { tenantId: TID, oid, upn: "ada@contoso.example", name: "Ada", roles: ["RealmJoin.Admin"], audience: "api://rj", lifetimeSeconds: 600 };
    const v2 = await idp.mintAccessToken({ ...input, version: 2 });
    expect(decodeProtectedHeader(v2)).toMatchObject({ alg: "RS256", typ: "JWT", kid: idp.jwks().keys[0]?.kid });
    expect(decodeJwt(v2)).toMatchObject({
      iss: `${BASE}/${TID}/v2.0`, aud: "api://rj", tid: TID, oid, preferred_username: "ada@contoso.example", name: "Ada",
      roles: ["RealmJoin.Admin"], scp: "access_as_agent", ver: "2.0", iat: 1767225600, nbf: 1767225600, exp: 1767226200,
    });
    const v1 = await idp.mintAccessToken({ ...input, version: 1 });
    expect(decodeJwt(v1)).toMatchObject({ iss: `${BASE}/sts/${TID}/`, upn: "ada@contoso.example", ver: "1.0" });
  });
});

describe("DevDeviceCa", () => {
  it("when opened again, then the same CA comes back, and concurrent first starts agree", async () => {
    const dataDir = await tempDir();
    const [a, b] = await Promise.all([DevDeviceCa.open({ dataDir }), DevDeviceCa.open({ dataDir })]);
    expect(b.caPem()).toBe(a.caPem());
    expect((await DevDeviceCa.open({ dataDir })).caPem()).toBe(a.caPem());
    expect(new X509Certificate(a.caPem()).ca).toBe(true);
  });

  it("when a device certificate is issued for a generated or supplied key, then its CN is the device id and the CA verifies it", async () => {
    const ca = await DevDeviceCa.open({ dataDir: await tempDir() });
    const caCert = new X509Certificate(ca.caPem());
    const deviceId = randomUUID();
    const generated = await ca.issueDeviceCertificate(deviceId, { generate: "ES256" });
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const supplied = await ca.issueDeviceCertificate(deviceId, { publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString() });
    expect(supplied.keyPem).toBeUndefined();
    for (const issued of [generated, supplied]) {
      const leaf = new X509Certificate(issued.certPem);
      expect(leaf.subject).toBe(`CN=${deviceId}`);
      expect(leaf.checkIssued(caCert) && leaf.verify(caCert.publicKey)).toBe(true);
      expect(leaf.ca).toBe(false);
    }
    const jws = await createDeviceAssertion({ keyPem: generated.keyPem ?? "", certPem: generated.certPem, tenantId: TID, deviceId, audience: "api://rj", alg: "ES256" });
    expect(decodeProtectedHeader(jws)).toMatchObject({ alg: "ES256", typ: "rj-device+jwt" });
    const x5c = decodeProtectedHeader(jws).x5c?.[0] ?? "";
    expect(new X509Certificate(Buffer.from(x5c, "base64")).subject).toBe(`CN=${deviceId}`);
  });
});
