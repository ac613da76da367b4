import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from "jose";
import type { SigningJwks } from "../../../lib/signing/signer.js";

/** Verifies a compact JWS the way an agent would (jose + the realm JWKS); returns header and parsed payload, throws when it does not verify. */
export async function verifyWithJwks(jws: string, jwks: SigningJwks) {
  const result = await compactVerify(jws, createLocalJWKSet(jwks as unknown as JSONWebKeySet), { algorithms: ["PS256"] });
  return {
    header: result.protectedHeader,
    payload: JSON.parse(new TextDecoder().decode(result.payload)) as Record<string, unknown>,
  };
}
