import type { Clock } from "../core/clock.js";
import { validationError } from "../core/errors.js";
import { signCompactJws } from "./compact-jws.js";
import { hashDocument } from "./document-hash.js";
import { LruCache } from "./lru-cache.js";
import type { CurrentSignerSource } from "./realm-key-ring.js";
import { signatureCacheId, type SignatureCache, type SignatureCacheKey } from "./signature-cache.js";

/** The `typ` header values of the documents the agent receives (API.md). */
export type SignedDocumentType = "rj-config+jwt" | "rj-manifest+jwt";

export interface SignDocumentInput {
  realmId: string;
  typ: SignedDocumentType;
  /** The document; it must carry `realm` (= realmId) and `deviceId`; any `iat`/`hash` in it are replaced. */
  body: Record<string, unknown>;
}

/** A signed document: the JWS compact serialisation, its hash (the ETag value) and the signing kid. */
export interface SignedDocument {
  jws: string;
  hash: string;
  kid: string;
}

export interface DocumentSignerOptions {
  keys: CurrentSignerSource;
  /** The persisted tier (Table Storage in Azure). */
  cache: SignatureCache;
  clock: Clock;
  /** Entries kept in the in-memory tier; 10,000 unless given. */
  memoryEntries?: number;
}

/**
 * Signs configurations and manifests once per distinct (realm, key, typ, hash): repeats come
 * from memory, then from the persisted cache, and concurrent requests share one signing.
 * A cached JWS keeps the `iat` of its first signing, by design.
 */
export class DocumentSigner {
  private readonly memory: LruCache<string, SignedDocument>;
  private readonly inFlight = new Map<string, Promise<SignedDocument>>();

  constructor(private readonly options: DocumentSignerOptions) {
    this.memory = new LruCache(options.memoryEntries ?? 10_000);
  }

  /** Throws AppError "validation" when body.realm is not realmId or the body is not JSON; otherwise what the signer or cache throws. */
  async signDocument(input: SignDocumentInput): Promise<SignedDocument> {
    if (input.body.realm !== input.realmId) throw validationError("Document realm does not match the signing realm", "realm-mismatch");
    const hash = hashDocument(input.body);
    const signer = await this.options.keys.currentSigner(input.realmId);
    const key: SignatureCacheKey = { realmId: input.realmId, kid: signer.kid, typ: input.typ, hash };
    const id = signatureCacheId(key);
    const remembered = this.memory.get(id);
    if (remembered) return remembered;
    let pending = this.inFlight.get(id);
    if (!pending) {
      pending = this.load(key, () => {
        const { iat: _iat, hash: _hash, ...body } = input.body;
        return signCompactJws(signer, input.typ, { ...body, iat: Math.floor(this.options.clock.now() / 1000), hash });
      }).finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, pending);
    }
    return pending;
  }

  private async load(key: SignatureCacheKey, sign: () => Promise<string>): Promise<SignedDocument> {
    let jws = await this.options.cache.get(key);
    if (jws === undefined) {
      jws = await sign();
      await this.options.cache.put(key, jws);
    }
    const signed = { jws, hash: key.hash, kid: key.kid };
    this.memory.set(signatureCacheId(key), signed);
    return signed;
  }
}
