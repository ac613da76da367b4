/** One version of a realm's signing key. Times are epoch milliseconds. */
export interface RealmKeyRecord {
  version: string;
  createdAt: number;
  /** When this key stopped signing new documents; it stays in the JWKS for the overlap period after. */
  retiredAt?: number;
}

/** A realm's key ring as stored, with the ETag to write it back. Keys are oldest first. */
export interface StoredKeyRing {
  keys: RealmKeyRecord[];
  etag: string;
}

/** Persistence of realm key rings (metadata only, never key material). */
export interface KeyRingStore {
  /** Returns the realm's ring, or undefined when the realm has no keys yet. */
  get(realmId: string): Promise<StoredKeyRing | undefined>;
  /**
   * Writes the ring and returns the new ETag. With `etag` undefined it only creates;
   * throws AppError "conflict" (code "key-ring-changed") when the ring exists or changed since `etag`.
   */
  put(realmId: string, keys: RealmKeyRecord[], etag: string | undefined): Promise<string>;
}
