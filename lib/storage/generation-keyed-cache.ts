import type { Clock } from "../core/clock.js";

/** Bounds of a GenerationKeyedCache. */
export interface GenerationKeyedCacheOptions {
  clock: Clock;
  /** Realms kept, least recently used dropped first. */
  maxRealms: number;
  /**
   * A value is reloaded after this long even when its generation still matches: the bound for a write whose
   * generation bump failed after the write itself was stored.
   */
  maxAgeMs: number;
}

interface Entry<T> {
  key: string;
  loadedAt: number;
  value: Promise<T>;
}

/**
 * Per realm, the value loaded under a generation token: reused while the realm's current token equals the one it was
 * loaded under (and it is younger than maxAgeMs). Concurrent misses share one load; a failed load is not kept.
 */
export class GenerationKeyedCache<T> {
  // Map order is recency order: a hit moves its realm to the end, eviction takes from the front.
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly options: GenerationKeyedCacheOptions) {}

  /** The realm's value for this generation: cached when the key matches, else what `load` returns (read the key first). */
  get(realmId: string, key: string, load: () => Promise<T>): Promise<T> {
    const now = this.options.clock.now();
    const hit = this.entries.get(realmId);
    this.entries.delete(realmId);
    if (hit !== undefined && hit.key === key && now - hit.loadedAt < this.options.maxAgeMs) {
      this.entries.set(realmId, hit);
      return hit.value;
    }
    const entry: Entry<T> = { key, loadedAt: now, value: load() };
    this.entries.set(realmId, entry);
    entry.value.catch(() => {
      if (this.entries.get(realmId) === entry) this.entries.delete(realmId);
    });
    while (this.entries.size > Math.max(1, this.options.maxRealms)) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    return entry.value;
  }

  /** Drops the realm's value (after a write through this instance). */
  forget(realmId: string): void {
    this.entries.delete(realmId);
  }
}
