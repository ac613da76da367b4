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

// Larger x5c strings are parsed on every use, so a flood of big certificates cannot grow the cache past ~10 KB an entry.
const MAX_CACHED_CERT_BASE64 = 3 * 1024;

/**
 * parseLeafCertificate and parsePemBundle remembered by their input text (both are pure over immutable
 * results), plus each leaf/CA signature check by object pair. Validity dates are not cached: callers still check
 * them per request. Bounded: the oldest entries go first.
 */
export class CertificateCache {
  private readonly leaves = new Map<string, DeviceCertificate>();
  private readonly bundles = new Map<string, X509Certificate[]>();
  private readonly signatures = new WeakMap<X509Certificate, WeakMap<X509Certificate, boolean>>();

  constructor(
    private readonly maxLeaves = 4_096,
    private readonly maxBundles = 256,
  ) {}

  /** As parseLeafCertificate; undefined when absent or not a certificate (never cached). */
  leaf(x5c: unknown): DeviceCertificate | undefined {
    const text: unknown = Array.isArray(x5c) ? x5c[0] : undefined;
    if (typeof text !== "string" || text.length > MAX_CACHED_CERT_BASE64) return parseLeafCertificate(x5c);
    const hit = this.leaves.get(text);
    if (hit !== undefined) return hit;
    const parsed = parseLeafCertificate(x5c);
    if (parsed !== undefined) remember(this.leaves, text, parsed, this.maxLeaves);
    return parsed;
  }

  /** As parsePemBundle. */
  bundle(pem: string): X509Certificate[] {
    const hit = this.bundles.get(pem);
    if (hit !== undefined) return hit;
    const parsed = parsePemBundle(pem);
    remember(this.bundles, pem, parsed, this.maxBundles);
    return parsed;
  }

  /** As isIssuedByAny: the CA's own dates and CA flag are checked each call, the issuer signature once per pair. */
  isIssuedByAny(leaf: X509Certificate, cas: X509Certificate[], nowMs: number): boolean {
    return cas.some((ca) => ca.ca && isCurrentlyValid(ca, nowMs) && this.signedBy(leaf, ca));
  }

  private signedBy(leaf: X509Certificate, ca: X509Certificate): boolean {
    let byCa = this.signatures.get(leaf);
    if (byCa === undefined) {
      byCa = new WeakMap();
      this.signatures.set(leaf, byCa);
    }
    let ok = byCa.get(ca);
    if (ok === undefined) {
      ok = leaf.checkIssued(ca) && leaf.verify(ca.publicKey);
      byCa.set(ca, ok);
    }
    return ok;
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.set(key, value);
  if (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
}
