import type { Clock } from "../core/clock.js";
import { isAppError, type AppError } from "../core/errors.js";
import { assertRealmId } from "./key-id.js";
import type { KeyRingStore, RealmKeyRecord } from "./key-ring-store.js";
import type { Signer, SigningJwks } from "./signer.js";
import type { SigningKeySource } from "./signing-key-source.js";

export interface RealmKeyRingOptions {
  keys: SigningKeySource;
  store: KeyRingStore;
  clock: Clock;
  /** How long a rotated-out key stays in the JWKS (setting; e.g. 14 days in ms). */
  overlapMs: number;
  /** How long a ring read from the store is trusted before re-reading (other instances may rotate); 60 s unless given. */
  ringCacheMs?: number;
}

/** The source of a realm's current signer; what DocumentSigner needs from the key ring. */
export interface CurrentSignerSource {
  /** Returns the signer new documents of this realm are signed with, creating the realm's first key when it has none. */
  currentSigner(realmId: string): Promise<Signer>;
}

interface CachedRing {
  keys: RealmKeyRecord[];
  etag: string;
  readAt: number;
}

const MAX_WRITE_ATTEMPTS = 5;
// A realm whose key is missing and may not be created fails fast for this long instead of asking the vault per request.
const MISSING_KEY_BACKOFF_MS = 60_000;

/** Per-realm signing keys with rotation: one current key signs, previous keys stay published for an overlap period. */
export class RealmKeyRing implements CurrentSignerSource {
  private readonly rings = new Map<string, CachedRing>();
  private readonly creating = new Map<string, Promise<Signer>>();
  private readonly missing = new Map<string, { error: AppError; until: number }>();

  constructor(private readonly options: RealmKeyRingOptions) {}

  async currentSigner(realmId: string): Promise<Signer> {
    assertRealmId(realmId);
    const ring = await this.ring(realmId);
    const current = ring && currentKey(ring.keys);
    if (current) return this.options.keys.openSigner(realmId, current.version);
    let pending = this.creating.get(realmId);
    if (!pending) {
      pending = this.createFirstKey(realmId).finally(() => this.creating.delete(realmId));
      this.creating.set(realmId, pending);
    }
    return pending;
  }

  /** Returns the realm's published keys (current and those retired less than the overlap ago); `{keys: []}` when the realm has none yet (never creates one). */
  async jwks(realmId: string): Promise<SigningJwks> {
    assertRealmId(realmId);
    const ring = await this.ring(realmId);
    if (!ring) return { keys: [] };
    const now = this.options.clock.now();
    const published = ring.keys.filter((k) => k.retiredAt === undefined || now < k.retiredAt + this.options.overlapMs);
    const signers = await Promise.all(published.map((k) => this.options.keys.openSigner(realmId, k.version)));
    return { keys: await Promise.all(signers.reverse().map((s) => s.publicJwk())) };
  }

  /** When the realm's current key was created (ms); undefined when the realm has no key yet. Reads the store, not the cache. */
  async currentKeyCreatedAt(realmId: string): Promise<number | undefined> {
    assertRealmId(realmId);
    const stored = await this.options.store.get(realmId);
    return stored === undefined ? undefined : currentKey(stored.keys)?.createdAt;
  }

  /** Makes a new key current and retires the previous one (still published until the overlap ends); returns the new signer. */
  async rotate(realmId: string): Promise<Signer> {
    assertRealmId(realmId);
    const version = await this.options.keys.createKey(realmId);
    await this.write(realmId, (keys) => {
      const now = this.options.clock.now();
      // Keys past their overlap are no longer published: dropping them keeps the ring's row small however often it rotates.
      const retired = keys
        .filter((k) => k.retiredAt === undefined || now < k.retiredAt + this.options.overlapMs)
        .map((k) => (k.retiredAt === undefined ? { ...k, retiredAt: now } : k));
      return [...retired, { version, createdAt: now }];
    });
    return this.options.keys.openSigner(realmId, version);
  }

  /** Drops this instance's cached ring of the realm, for when its stored ring was removed (an undone realm creation). */
  forget(realmId: string): void {
    this.rings.delete(realmId);
  }

  private async createFirstKey(realmId: string): Promise<Signer> {
    const known = this.missing.get(realmId);
    if (known !== undefined && this.options.clock.now() < known.until) throw known.error;
    let version: string;
    try {
      // A key made by the deployment (Bicep) is adopted as the realm's first key; a new one only when there is none.
      version = (await this.options.keys.existingKey(realmId)) ?? (await this.options.keys.createKey(realmId));
    } catch (error) {
      if (isAppError(error) && error.code === "key-vault-key-missing") {
        this.missing.set(realmId, { error, until: this.options.clock.now() + MISSING_KEY_BACKOFF_MS });
      }
      throw error;
    }
    this.missing.delete(realmId);
    // Another instance may have created the first key meanwhile: theirs wins, ours is left unused.
    const keys = await this.write(realmId, (existing) =>
      currentKey(existing) ? existing : [...existing, { version, createdAt: this.options.clock.now() }],
    );
    const current = currentKey(keys);
    if (!current) throw new Error("Key ring has no current key after creation");
    return this.options.keys.openSigner(realmId, current.version);
  }

  // Read-modify-write with the store's ETag, re-reading on conflict.
  private async write(realmId: string, change: (keys: RealmKeyRecord[]) => RealmKeyRecord[]): Promise<RealmKeyRecord[]> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.options.store.get(realmId);
      const next = change(stored?.keys ?? []);
      try {
        const etag = await this.options.store.put(realmId, next, stored?.etag);
        this.rings.set(realmId, { keys: next, etag, readAt: this.options.clock.now() });
        return next;
      } catch (error) {
        if (!(isAppError(error) && error.kind === "conflict") || attempt >= MAX_WRITE_ATTEMPTS) throw error;
      }
    }
  }

  private async ring(realmId: string): Promise<CachedRing | undefined> {
    const now = this.options.clock.now();
    const cached = this.rings.get(realmId);
    if (cached && now - cached.readAt < (this.options.ringCacheMs ?? 60_000)) return cached;
    const stored = await this.options.store.get(realmId);
    if (!stored) {
      this.rings.delete(realmId);
      return undefined;
    }
    const ring = { ...stored, readAt: now };
    this.rings.set(realmId, ring);
    return ring;
  }
}

/** The newest key that has not been retired, or undefined. */
function currentKey(keys: RealmKeyRecord[]): RealmKeyRecord | undefined {
  return keys.findLast((k) => k.retiredAt === undefined);
}
