import type { Clock } from "../core/clock.js";

interface Entry<V> {
  value: Promise<V>;
  expiresAt: number;
}

/** An in-memory cache of async loads with a time-to-live, one load in flight per key, and a size bound (oldest evicted first). */
export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly clock: Clock,
    private readonly maxEntries = 10_000,
  ) {}

  /** Returns the cached value while fresh, otherwise loads it; a failed load is not cached. Rethrows the load's error. */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = this.clock.now();
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.expiresAt > now) return hit.value;
    this.entries.delete(key);
    const value = load();
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    return value;
  }

  /** Drops one key. */
  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every key starting with the prefix. */
  deletePrefix(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}
