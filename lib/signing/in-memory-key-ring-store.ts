import { keyRingChanged } from "./key-ring-record.js";
import type { KeyRingStore, RealmKeyRecord, StoredKeyRing } from "./key-ring-store.js";

/** Key rings in process memory; for unit tests. */
export class InMemoryKeyRingStore implements KeyRingStore {
  private readonly rings = new Map<string, StoredKeyRing>();
  private counter = 0;

  get(realmId: string): Promise<StoredKeyRing | undefined> {
    const ring = this.rings.get(realmId);
    return Promise.resolve(ring && { keys: ring.keys.map((k) => ({ ...k })), etag: ring.etag });
  }

  put(realmId: string, keys: RealmKeyRecord[], etag: string | undefined): Promise<string> {
    const current = this.rings.get(realmId);
    if (current?.etag !== etag) return Promise.reject(keyRingChanged());
    const next = `m${++this.counter}`;
    this.rings.set(realmId, { keys: keys.map((k) => ({ ...k })), etag: next });
    return Promise.resolve(next);
  }
}
