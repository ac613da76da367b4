import { createHash, X509Certificate } from "node:crypto";

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MAX_CERT_BASE64 = 8 * 1024;

/** A parsed leaf certificate from an `x5c` header. */
export interface DeviceCertificate {
  x509: X509Certificate;
  der: Buffer;
  /** Lowercase hex SHA-256 of the DER. */
  thumbprint: string;
}

/** Parses `x5c[0]` (standard base64 DER, RFC 7515); returns undefined when absent or not a certificate. */
export function parseLeafCertificate(x5c: unknown): DeviceCertificate | undefined {
  if (!Array.isArray(x5c) || x5c.length === 0) return undefined;
  const leaf: unknown = x5c[0];
  if (typeof leaf !== "string" || leaf.length > MAX_CERT_BASE64 || !BASE64.test(leaf)) return undefined;
  const der = Buffer.from(leaf, "base64");
  try {
    return { x509: new X509Certificate(der), der, thumbprint: sha256Hex(der) };
  } catch {
    return undefined;
  }
}

/** Lowercase hex SHA-256 of a certificate's DER bytes. */
export const sha256Hex = (der: Uint8Array): string => createHash("sha256").update(der).digest("hex");

/** True when `nowMs` lies within the certificate's notBefore..notAfter. */
export function isCurrentlyValid(cert: X509Certificate, nowMs: number): boolean {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  return Number.isFinite(from) && Number.isFinite(to) && from <= nowMs && nowMs <= to;
}

/** Returns the subject's single CN value, or undefined when there is none or several. */
export function subjectCommonName(cert: X509Certificate): string | undefined {
  const cns = cert.subject
    .split("\n")
    .filter((line) => line.startsWith("CN="))
    .map((line) => line.slice(3));
  return cns.length === 1 ? cns[0] : undefined;
}

/** Parses every certificate of a PEM bundle; malformed blocks are skipped. */
export function parsePemBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const certs: X509Certificate[] = [];
  for (const block of blocks) {
    try {
      certs.push(new X509Certificate(block));
    } catch {
      // A broken entry in a realm's bundle must not lock out devices issued by the good ones.
    }
  }
  return certs;
}

/** True when one of the CAs (itself current and a CA) issued and signed the leaf. */
export function isIssuedByAny(leaf: X509Certificate, cas: X509Certificate[], nowMs: number): boolean {
  return cas.some((ca) => ca.ca && isCurrentlyValid(ca, nowMs) && leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
}

/** Wraps DER bytes as a PEM certificate. */
export function derToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64");
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n-----END CERTIFICATE-----\n`;
}
