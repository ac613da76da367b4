import { canonicalJson } from "./document-hash.js";
import type { Signer } from "./signer.js";

const b64url = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString("base64url");

/**
 * Builds a JWS compact serialisation with protected header `{alg: "PS256", kid, typ}`.
 * The payload is written as RFC 8785 canonical JSON so its bytes are reproducible. Throws what the signer throws.
 */
export async function signCompactJws(signer: Signer, typ: string, payload: Record<string, unknown>): Promise<string> {
  const header = { alg: signer.algorithm, kid: signer.kid, typ };
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(canonicalJson(payload))}`;
  const signature = await signer.sign(Buffer.from(signingInput, "ascii"));
  return `${signingInput}.${b64url(signature)}`;
}
