import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { createHash, createPublicKey, webcrypto } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  alternativeSecurityIdForCertificate,
  certificateMatchesAlternativeSecurityId,
  parseAlternativeSecurityIdKey,
} from "../../../lib/directory/alternative-security-id.js";

async function deviceCertificate(alg: webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams): Promise<Uint8Array> {
  const keys = await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: "CN=d0000000-0000-4000-8000-000000000001",
      keys,
      signingAlgorithm: "hash" in alg ? alg : { ...alg, hash: "SHA-256" },
      notBefore: new Date("2026-01-01T00:00:00Z"),
      notAfter: new Date("2027-01-01T00:00:00Z"),
    },
    webcrypto,
  );
  return new Uint8Array(cert.rawData);
}

function keyOf(text: string): string {
  return Buffer.from(text, "utf16le").toString("base64");
}

const RSA: webcrypto.RsaHashedKeyGenParams = { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
const EC: webcrypto.EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };

describe("device certificate vs alternativeSecurityIds", () => {
  let rsaCert: Uint8Array;
  let otherCert: Uint8Array;
  let expectedKey: string;

  beforeAll(async () => {
    rsaCert = await deviceCertificate(RSA);
    otherCert = await deviceCertificate(RSA);
    // Independently of the implementation: .NET's thumbprint (SHA-1 of the DER, upper-case hex) and
    // SHA-256 of the PKCS#1 RSAPublicKey (PublicKey.EncodedKeyValue.RawData for RSA), base64.
    const thumbprint = createHash("sha1").update(rsaCert).digest("hex").toUpperCase();
    expect(thumbprint).toMatch(/^[0-9A-F]{40}$/);
    const cert = new x509.X509Certificate(rsaCert);
    const publicKey = createPublicKey({ key: Buffer.from(cert.publicKey.rawData), format: "der", type: "spki" });
    const keyHash = createHash("sha256").update(publicKey.export({ type: "pkcs1", format: "der" })).digest("base64");
    expectedKey = keyOf(`X509:<SHA1-TP-PUBKEY>${thumbprint}${keyHash}`);
  });

  it("when the altSecId is built for an RSA certificate, then it is base64 of UTF-16LE X509:<SHA1-TP-PUBKEY>{thumbprint}{sha256 of the public key}", () => {
    expect(alternativeSecurityIdForCertificate(rsaCert)).toEqual({ type: 2, key: expectedKey });
  });

  it("when the device's altSecIds hold the certificate's binding, then the certificate matches", () => {
    const altIds = [{ type: 1, key: "AAAA" }, { type: 2, identityProvider: "", key: expectedKey }];
    expect(certificateMatchesAlternativeSecurityId(rsaCert, altIds)).toBe(true);
  });

  it("when the binding belongs to another certificate, then it does not match", () => {
    expect(certificateMatchesAlternativeSecurityId(otherCert, [{ type: 2, key: expectedKey }])).toBe(false);
  });

  it("when the thumbprint matches but the public-key hash differs, then it does not match", () => {
    const parsed = parseAlternativeSecurityIdKey(expectedKey);
    const forged = keyOf(`X509:<SHA1-TP-PUBKEY>${parsed?.thumbprint}${createHash("sha256").update("x").digest("base64")}`);
    expect(certificateMatchesAlternativeSecurityId(rsaCert, [{ type: 2, key: forged }])).toBe(false);
  });

  it("when the key uses the spec's '+' separator or a lower-case thumbprint, then it still matches", () => {
    const parsed = parseAlternativeSecurityIdKey(expectedKey);
    const variant = keyOf(`X509:<SHA1-TP-PUBKEY>${parsed?.thumbprint.toLowerCase()}+${parsed?.publicKeyHash}`);
    expect(certificateMatchesAlternativeSecurityId(rsaCert, [{ type: 2, key: variant }])).toBe(true);
  });

  it("when the entry has another type or is not the X509 form, then it does not match", () => {
    expect(certificateMatchesAlternativeSecurityId(rsaCert, [{ type: 1, key: expectedKey }])).toBe(false);
    expect(certificateMatchesAlternativeSecurityId(rsaCert, [{ type: 2, key: keyOf("X509:<SHA1-TP-PUBKEY>nonsense") }])).toBe(false);
    expect(certificateMatchesAlternativeSecurityId(rsaCert, [{ type: 2, key: Buffer.from("X509:<SHA1-TP-PUBKEY>").toString("base64") }])).toBe(false);
    expect(certificateMatchesAlternativeSecurityId(rsaCert, [])).toBe(false);
  });

  it("when the certificate bytes are not a certificate, then nothing matches", () => {
    expect(certificateMatchesAlternativeSecurityId(new Uint8Array([1, 2, 3]), [{ type: 2, key: expectedKey }])).toBe(false);
  });

  it("when the certificate has an EC key, then its own altSecId matches it and not an RSA certificate", async () => {
    const ecCert = await deviceCertificate(EC);
    const altId = alternativeSecurityIdForCertificate(ecCert);
    const ecPoint = Buffer.from(new x509.X509Certificate(ecCert).publicKey.rawData).subarray(-65);
    expect(parseAlternativeSecurityIdKey(altId.key)?.publicKeyHash).toBe(createHash("sha256").update(ecPoint).digest("base64"));
    expect(certificateMatchesAlternativeSecurityId(ecCert, [altId])).toBe(true);
    expect(certificateMatchesAlternativeSecurityId(rsaCert, [altId])).toBe(false);
  });
});
