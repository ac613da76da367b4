import { createHash, X509Certificate } from "node:crypto";
import type { AlternativeSecurityId } from "./directory.js";

/*
 * Entra join records the device certificate in the device object's alternativeSecurityIds as
 * type 2 with key = base64(UTF-16LE("X509:<SHA1-TP-PUBKEY>" + THUMBPRINT + PUBKEYHASH)), where
 * THUMBPRINT is the certificate's SHA-1 over its DER in upper-case hex (as .NET prints it) and
 * PUBKEYHASH is base64(SHA-256(subjectPublicKey)), the BIT STRING content of the certificate's
 * SubjectPublicKeyInfo (.NET's PublicKey.EncodedKeyValue.RawData; for RSA the PKCS#1 RSAPublicKey).
 * [MS-DVRE] 2.3.3 writes the value as "[thumbprint]+[publickeyhash]"; directories seen in the field
 * store the two parts with no separator, so a single "+" between them is accepted as well.
 */
const PREFIX = "X509:<SHA1-TP-PUBKEY>";
const X509_TYPE = 2;

/** Returns the altSecId Entra would store for this DER certificate (type 2). Throws when certDer is not a certificate. */
export function alternativeSecurityIdForCertificate(certDer: Uint8Array): AlternativeSecurityId {
  const { thumbprint, publicKeyHash } = certificateBinding(certDer);
  const text = `${PREFIX}${thumbprint}${publicKeyHash}`;
  return { type: X509_TYPE, key: Buffer.from(text, "utf16le").toString("base64") };
}

/** Returns true when one type-2 altSecId binds this DER certificate (thumbprint and public-key hash both match); false otherwise, including for an unparsable certificate or key. */
export function certificateMatchesAlternativeSecurityId(
  certDer: Uint8Array,
  altIds: readonly AlternativeSecurityId[],
): boolean {
  let binding: { thumbprint: string; publicKeyHash: string };
  try {
    binding = certificateBinding(certDer);
  } catch {
    return false;
  }
  return altIds.some((alt) => {
    if (alt.type !== X509_TYPE) return false;
    const parsed = parseKey(alt.key);
    return (
      parsed !== undefined &&
      parsed.thumbprint === binding.thumbprint &&
      parsed.publicKeyHash === binding.publicKeyHash
    );
  });
}

/** Returns the thumbprint (upper-case hex) and public-key hash in an altSecId key, or undefined when the key is not the X509 thumbprint/public-key form. */
export function parseAlternativeSecurityIdKey(
  keyBase64: string,
): { thumbprint: string; publicKeyHash: string } | undefined {
  return parseKey(keyBase64);
}

function parseKey(keyBase64: string): { thumbprint: string; publicKeyHash: string } | undefined {
  const bytes = Buffer.from(keyBase64, "base64");
  if (bytes.length % 2 !== 0) return undefined;
  const text = bytes.toString("utf16le");
  if (!text.startsWith(PREFIX)) return undefined;
  const rest = text.slice(PREFIX.length);
  const match = /^([0-9A-Fa-f]{40})\+?([A-Za-z0-9+/]{43}=)$/.exec(rest);
  if (match === null || match[1] === undefined || match[2] === undefined) return undefined;
  return { thumbprint: match[1].toUpperCase(), publicKeyHash: match[2] };
}

function certificateBinding(certDer: Uint8Array): { thumbprint: string; publicKeyHash: string } {
  const cert = new X509Certificate(certDer);
  const thumbprint = createHash("sha1").update(cert.raw).digest("hex").toUpperCase();
  const spki = cert.publicKey.export({ type: "spki", format: "der" });
  const publicKeyHash = createHash("sha256").update(subjectPublicKeyBits(spki)).digest("base64");
  return { thumbprint, publicKeyHash };
}

/** SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING } */
function subjectPublicKeyBits(spki: Buffer): Buffer {
  const outer = readTlv(spki, 0, 0x30);
  const algorithm = readTlv(spki, outer.contentStart, 0x30);
  const bits = readTlv(spki, algorithm.end, 0x03);
  if (bits.end !== outer.end || spki[bits.contentStart] !== 0) throw new Error("Unexpected SubjectPublicKeyInfo");
  return spki.subarray(bits.contentStart + 1, bits.end);
}

function readTlv(der: Buffer, offset: number, tag: number): { contentStart: number; end: number } {
  if (der[offset] !== tag) throw new Error("Unexpected DER tag");
  const first = der[offset + 1];
  if (first === undefined) throw new Error("Truncated DER");
  let length = first;
  let contentStart = offset + 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new Error("Unsupported DER length");
    length = 0;
    for (let i = 0; i < count; i++) {
      const b = der[offset + 2 + i];
      if (b === undefined) throw new Error("Truncated DER");
      length = length * 256 + b;
    }
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > der.length) throw new Error("Truncated DER");
  return { contentStart, end };
}
