import { systemClock, type Clock } from "../core/clock.js";
import type { Assignment } from "./assignment-schema.js";
import type { CatalogueRecord } from "./catalogue-record.js";

/** What delivery plans over: a realm's assignments and its whole catalogue, as loaded under one generation key. Never mutated. */
export interface DeliverySnapshot {
  assignments: readonly Assignment[];
  catalogue: readonly CatalogueRecord[];
}

/** Bounds of the snapshot cache; every field has a default. */
export interface DeliverySnapshotCacheOptions {
  /** Realms kept (least recently used dropped first); default 1,000. */
  maxRealms?: number;
  /** Catalogue records and assignments kept over all realms; a realm larger than this alone is never kept. Default 50,000. */
  maxItems?: number;
  /** A snapshot is reloaded after this long even when its key still matches: a safety net for writes that bypassed the generation (older code, hand edits). Default 5 minutes. */
  maxAgeMs?: number;
  clock?: Clock;
}

interface Entry {
  key: string;
  loadedAt: number;
  snapshot: Promise<DeliverySnapshot>;
  /** 0 while loading. */
  items: number;
}

/** Per realm, the last snapshot and the generation key it was loaded under; concurrent misses of one key share one load. */
export class DeliverySnapshotCache {
  // Map order is recency order: a hit moves its realm to the end, eviction takes from the front.
  private readonly entries = new Map<string, Entry>();
  private items = 0;
  private readonly maxRealms: number;
  private readonly maxItems: number;
  private readonly maxAgeMs: number;
  private readonly clock: Clock;

  constructor(options: DeliverySnapshotCacheOptions = {}) {
    this.maxRealms = options.maxRealms ?? 1_000;
    this.maxItems = options.maxItems ?? 50_000;
    this.maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * The realm's snapshot for this key: the cached one when the key matches and it is young enough, else what `load`
   * returns (call `load` only after reading the key, so a snapshot is never older than its key). Rejects as `load` does;
   * a failed load is not kept.
   */
  get(realmId: string, key: string, load: () => Promise<DeliverySnapshot>): Promise<DeliverySnapshot> {
    const now = this.clock.now();
    const hit = this.entries.get(realmId);
    if (hit !== undefined && hit.key === key && now - hit.loadedAt < this.maxAgeMs) {
      this.entries.delete(realmId);
      this.entries.set(realmId, hit);
      return hit.snapshot;
    }
    this.drop(realmId);
    const entry: Entry = { key, loadedAt: now, snapshot: load(), items: 0 };
    this.entries.set(realmId, entry);
    void entry.snapshot.then(
      (s) => this.settle(realmId, entry, s.assignments.length + s.catalogue.length),
      () => {
        if (this.entries.get(realmId) === entry) this.drop(realmId);
      },
    );
    this.evict();
    return entry.snapshot;
  }

  /** Realms currently held (for tests and diagnostics). */
  get size(): number {
    return this.entries.size;
  }

  private settle(realmId: string, entry: Entry, items: number): void {
    if (this.entries.get(realmId) !== entry) return;
    if (items > this.maxItems) {
      this.drop(realmId);
      return;
    }
    entry.items = items;
    this.items += items;
    this.evict();
  }

  private drop(realmId: string): void {
    const entry = this.entries.get(realmId);
    if (entry === undefined) return;
    this.items -= entry.items;
    this.entries.delete(realmId);
  }

  private evict(): void {
    while (this.entries.size > this.maxRealms || this.items > this.maxItems) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) return;
      this.drop(oldest.value);
    }
  }
}
