import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from "jose";
import { recomputeDocumentHash } from "./document-hash.js";

/** Why the agent refused a signed document. */
export type SignedDocumentProblem =
  | "malformed"
  | "bad-alg"
  | "bad-typ"
  | "unknown-kid"
  | "bad-signature"
  | "wrong-realm"
  | "wrong-device"
  | "hash-mismatch"
  | "etag-mismatch";

/** Thrown when a configuration or manifest must not be used. */
export class SignedDocumentError extends Error {
  override readonly name = "SignedDocumentError";
  constructor(
    readonly problem: SignedDocumentProblem,
    message: string,
  ) {
    super(message);
  }
}

export interface SignedDocumentExpectations {
  typ: "rj-config+jwt" | "rj-manifest+jwt";
  /** The realm (tenant id) the device belongs to. */
  realm: string;
  /** The device's own id; the document must be addressed to it. */
  deviceId: string;
  /** The response's ETag, when it had one; it must be `"<hash>"`. */
  etag?: string | null;
}

/** A document that passed every check. */
export interface VerifiedDocument {
  payload: Record<string, unknown>;
  hash: string;
  kid: string;
}

/** Whether the JWKS holds a key with that kid (the agent refuses documents signed by a key the realm does not publish). */
export function jwksHasKid(jwks: JSONWebKeySet, kid: string): boolean {
  return jwks.keys.some((k) => k.kid === kid);
}

/**
 * Verifies a JWS compact configuration or manifest the way the agent must: PS256 only, `typ` as expected, a `kid`
 * present in the realm JWKS, a valid signature, addressed to this realm and device, and a `hash` that equals the
 * recomputed one (and the ETag). Returns the payload; throws SignedDocumentError naming the first failed check.
 */
export async function verifySignedDocument(jws: string, jwks: JSONWebKeySet, expect: SignedDocumentExpectations): Promise<VerifiedDocument> {
  let header;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    throw new SignedDocumentError("malformed", "not a JWS compact serialisation");
  }
  if (header.alg !== "PS256") throw new SignedDocumentError("bad-alg", `alg ${String(header.alg)} is not PS256`);
  if (header.typ !== expect.typ) throw new SignedDocumentError("bad-typ", `typ ${String(header.typ)} is not ${expect.typ}`);
  const kid = header.kid;
  if (typeof kid !== "string" || !jwksHasKid(jwks, kid)) throw new SignedDocumentError("unknown-kid", `kid ${String(kid)} is not in the realm's key set`);
  let payloadBytes: Uint8Array;
  try {
    const onlyThatKey: JSONWebKeySet = { keys: jwks.keys.filter((k) => k.kid === kid) };
    ({ payload: payloadBytes } = await compactVerify(jws, createLocalJWKSet(onlyThatKey), { algorithms: ["PS256"] }));
  } catch (e) {
    throw new SignedDocumentError("bad-signature", `signature does not verify: ${e instanceof Error ? e.message : String(e)}`);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payloadBytes));
  } catch {
    throw new SignedDocumentError("malformed", "payload is not JSON");
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) throw new SignedDocumentError("malformed", "payload is not an object");
  const doc = payload as Record<string, unknown>;
  if (typeof doc["realm"] !== "string" || doc["realm"].toLowerCase() !== expect.realm.toLowerCase()) {
    throw new SignedDocumentError("wrong-realm", `document is for realm ${String(doc["realm"])}`);
  }
  if (typeof doc["deviceId"] !== "string" || doc["deviceId"].toLowerCase() !== expect.deviceId.toLowerCase()) {
    throw new SignedDocumentError("wrong-device", `document is for device ${String(doc["deviceId"])}`);
  }
  const hash = recomputeDocumentHash(doc);
  if (doc["hash"] !== hash) throw new SignedDocumentError("hash-mismatch", `hash ${String(doc["hash"])} differs from the recomputed ${hash}`);
  if (expect.etag !== undefined && expect.etag !== null && stripEtag(expect.etag) !== hash) {
    throw new SignedDocumentError("etag-mismatch", `ETag ${expect.etag} differs from the document hash`);
  }
  return { payload: doc, hash, kid };
}

/** The opaque value of an ETag header (`"abc"` or `W/"abc"` -> `abc`). */
export function stripEtag(etag: string): string {
  return etag.trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}
