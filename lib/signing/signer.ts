/** The public half of a realm signing key, as published in the realm's JWKS. */
export interface SigningJwk {
  kty: "RSA";
  n: string;
  e: string;
  kid: string;
  alg: "PS256";
  use: "sig";
}

/** A JWKS document (RFC 7517) holding a realm's published signing keys. */
export interface SigningJwks {
  keys: SigningJwk[];
}

/**
 * One PS256 signing key. `sign` takes the JWS signing input (the ASCII bytes of
 * `b64url(header).b64url(payload)`) so that both a local key (which hashes itself)
 * and Key Vault (which signs a SHA-256 digest) fit; it returns the raw signature and
 * throws AppError ("upstream" / "unavailable") when the key service fails.
 */
export interface Signer {
  /** The JWS `kid`: `<realmId>.<keyVersion>`. */
  readonly kid: string;
  readonly algorithm: "PS256";
  sign(signingInput: Uint8Array): Promise<Uint8Array>;
  /** The public key as a JWK carrying `kid`, `alg` and `use: "sig"`. */
  publicJwk(): Promise<SigningJwk>;
}
