/** What a signed document is cached under: the same document, type and key never need signing twice. */
export interface SignatureCacheKey {
  realmId: string;
  /** The signing key's kid (realm + key version). */
  kid: string;
  typ: string;
  hash: string;
}

/** A persisted store of signed documents, so a restart does not re-sign. */
export interface SignatureCache {
  /** Returns the stored JWS, or undefined when none is stored for this key. */
  get(key: SignatureCacheKey): Promise<string | undefined>;
  /** Stores the JWS, replacing any stored for the same key. */
  put(key: SignatureCacheKey, jws: string): Promise<void>;
}

/** The cache key as one string. */
export const signatureCacheId = (key: SignatureCacheKey): string => `${key.realmId}|${key.kid}|${key.typ}|${key.hash}`;
