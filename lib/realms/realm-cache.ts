import type { Clock } from "../core/clock.js";
import type { Realm } from "./realm.js";

/** Bounds of the per-instance realm cache. */
export interface RealmCacheOptions {
  /** How long a read realm row (or its absence) is reused; 0 turns the cache off. At most 30 s (RJ_REALM_CACHE_SECONDS). */
  ttlMs: number;
  clock: Clock;
  /** Realms (and unknown tenant ids) held at once, least recently used dropped first. Default 10,000. */
  maxEntries?: number;
}

interface Entry {
  realm: Promise<Realm | undefined>;
  loadedAt: number;
}

/**
 * Realm rows as last read by this instance, each reused for at most ttlMs: the bound within which a realm disabled,
 * deleted or changed through another instance is seen here. Writes through this instance replace the entry at once.
 * Concurrent misses of one realm share one read; a failed read is not kept.
 */
export class RealmCache {
  // Map order is recency order: a hit moves the realm to the end, eviction takes from the front.
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;

  constructor(private readonly options: RealmCacheOptions) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 10_000);
  }

  /** The cached realm while young enough, else what `load` returns (kept for ttlMs). Rejects as `load` does. */
  get(id: string, load: () => Promise<Realm | undefined>): Promise<Realm | undefined> {
    if (this.options.ttlMs <= 0) return load();
    const now = this.options.clock.now();
    const hit = this.entries.get(id);
    this.entries.delete(id);
    if (hit !== undefined && now - hit.loadedAt < this.options.ttlMs) {
      this.entries.set(id, hit);
      return hit.realm;
    }
    const entry: Entry = { realm: load(), loadedAt: now };
    this.entries.set(id, entry);
    entry.realm.catch(() => {
      if (this.entries.get(id) === entry) this.entries.delete(id);
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    return entry.realm;
  }

  /** Forgets the realm, so the next get reads storage (after a write whose result is not known in full). */
  forget(id: string): void {
    this.entries.delete(id);
  }

  /** Realms held now (bounded by maxEntries). */
  get size(): number {
    return this.entries.size;
  }
}
