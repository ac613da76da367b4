import { LruCache } from "./lru-cache.js";
import { signatureCacheId, type SignatureCache, type SignatureCacheKey } from "./signature-cache.js";

/** Signed documents in process memory (bounded); for unit tests and hosts without storage. */
export class InMemorySignatureCache implements SignatureCache {
  private readonly entries: LruCache<string, string>;

  constructor(capacity = 100_000) {
    this.entries = new LruCache(capacity);
  }

  get(key: SignatureCacheKey): Promise<string | undefined> {
    return Promise.resolve(this.entries.get(signatureCacheId(key)));
  }

  put(key: SignatureCacheKey, jws: string): Promise<void> {
    this.entries.set(signatureCacheId(key), jws);
    return Promise.resolve();
  }
}
