import { randomUUID } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import type { Clock } from "../core/clock.js";
import { keyPart } from "../storage/keys.js";
import { isNotFound } from "../storage/rest-error.js";
import { updateWithRetry, withoutSystemFields } from "../storage/optimistic.js";
import { RealmCache } from "./realm-cache.js";
import type { DeviceTrustMode, Realm, RealmGenerationKind, RealmLookup, RealmStatus } from "./realm.js";

interface RealmEntity {
  name: string;
  slug?: string;
  status: RealmStatus;
  deviceTrust: DeviceTrustMode;
  deviceCaPem?: string;
  noGraph: boolean;
  createdAt: string;
  deletedAt?: string;
  policiesGeneration?: string;
  deliveryGeneration?: string;
}

const GENERATION_FIELDS: Record<RealmGenerationKind, "policiesGeneration" | "deliveryGeneration"> = {
  policies: "policiesGeneration",
  delivery: "deliveryGeneration",
};

const ROW = "realm";

function toRealm(id: string, e: RealmEntity): Realm {
  return {
    id,
    name: e.name,
    status: e.status,
    deviceTrust: e.deviceTrust,
    noGraph: e.noGraph,
    createdAt: e.createdAt,
    ...(e.slug ? { slug: e.slug } : {}),
    ...(e.deviceCaPem ? { deviceCaPem: e.deviceCaPem } : {}),
    ...(e.deletedAt ? { deletedAt: e.deletedAt } : {}),
    generations: { policies: e.policiesGeneration ?? "", delivery: e.deliveryGeneration ?? "" },
  };
}

function toEntity(realm: Realm): RealmEntity {
  return {
    name: realm.name,
    status: realm.status,
    deviceTrust: realm.deviceTrust,
    noGraph: realm.noGraph,
    createdAt: realm.createdAt,
    ...(realm.slug ? { slug: realm.slug } : {}),
    ...(realm.deviceCaPem ? { deviceCaPem: realm.deviceCaPem } : {}),
    ...(realm.deletedAt ? { deletedAt: realm.deletedAt } : {}),
    ...(realm.generations?.policies ? { policiesGeneration: realm.generations.policies } : {}),
    ...(realm.generations?.delivery ? { deliveryGeneration: realm.generations.delivery } : {}),
  };
}

/** How long realm rows are reused per instance (RJ_REALM_CACHE_SECONDS); without it every get reads storage. */
export interface RealmRepositoryOptions {
  cacheTtlMs: number;
  clock: Clock;
}

/** Realms in Table Storage: PartitionKey is the tenant id, one row per realm. */
export class RealmRepository implements RealmLookup {
  private readonly cache: RealmCache | undefined;

  constructor(
    private readonly table: () => Promise<TableClient>,
    options?: RealmRepositoryOptions,
  ) {
    this.cache = options === undefined ? undefined : new RealmCache({ ttlMs: options.cacheTtlMs, clock: options.clock });
  }

  /**
   * The realm, any status; undefined when never registered. Served from this instance's cache for at most
   * RJ_REALM_CACHE_SECONDS, so a change made through another instance is seen within that bound.
   */
  async get(tenantId: string): Promise<Realm | undefined> {
    const id = tenantId.toLowerCase();
    return this.cache === undefined ? await this.read(id) : await this.cache.get(id, () => this.read(id));
  }

  /** The realm as stored now, bypassing the cache (for decisions that must not act on a stale row, e.g. a purge). */
  async getFresh(tenantId: string): Promise<Realm | undefined> {
    const id = tenantId.toLowerCase();
    this.cache?.forget(id);
    return await this.get(id);
  }

  /**
   * Gives the realm a new generation token of this kind: call after every write that changes what agents are served
   * (policies; packages or assignments), so every instance's caches keyed on it reload within the realm-cache bound,
   * and this instance's at once. A realm that is not registered is left alone. Throws only storage errors.
   */
  async bumpGeneration(tenantId: string, kind: RealmGenerationKind): Promise<void> {
    const id = tenantId.toLowerCase();
    const client = await this.table();
    try {
      // A merge of the one field under "*": no read, no lost bump when two writers meet, never creates a partial row.
      await client.updateEntity({ partitionKey: keyPart(id), rowKey: ROW, [GENERATION_FIELDS[kind]]: randomUUID() }, "Merge", { etag: "*" });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    } finally {
      this.cache?.forget(id);
    }
  }

  private async read(id: string): Promise<Realm | undefined> {
    const client = await this.table();
    try {
      const entity = await client.getEntity<RealmEntity>(keyPart(id), ROW);
      return toRealm(id, withoutSystemFields<RealmEntity>(entity));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Creates or replaces the realm record. */
  async put(realm: Realm): Promise<void> {
    const client = await this.table();
    try {
      await client.upsertEntity({ partitionKey: keyPart(realm.id.toLowerCase()), rowKey: ROW, ...toEntity(realm) }, "Replace");
    } finally {
      this.cache?.forget(realm.id.toLowerCase());
    }
  }

  /** Every realm (operators only; the realm count is small). */
  async list(): Promise<Realm[]> {
    const client = await this.table();
    const realms: Realm[] = [];
    for await (const e of client.listEntities<RealmEntity>({ queryOptions: { filter: `RowKey eq '${ROW}'` } })) {
      realms.push(toRealm(decodeURIComponent(e.partitionKey ?? ""), withoutSystemFields<RealmEntity>(e)));
    }
    return realms;
  }

  /**
   * Read-modify-write of the realm record with ETag concurrency: `mutate` gets the realm (undefined when
   * absent) and returns the next one, or undefined to leave it. Returns what is stored afterwards; throws
   * AppError conflict when the record kept changing.
   */
  async update(tenantId: string, mutate: (current: Realm | undefined) => Realm | undefined): Promise<Realm | undefined> {
    const id = tenantId.toLowerCase();
    const client = await this.table();
    try {
      const stored = await updateWithRetry<RealmEntity>(client, keyPart(id), ROW, (current) => {
        const next = mutate(current === undefined ? undefined : toRealm(id, current));
        return next === undefined ? undefined : toEntity({ ...next, id });
      });
      return stored === undefined ? undefined : toRealm(id, stored);
    } finally {
      this.cache?.forget(id);
    }
  }

  /** Removes the realm record for good (the last step of a purge); false when there was none. */
  async remove(tenantId: string): Promise<boolean> {
    const client = await this.table();
    try {
      await client.deleteEntity(keyPart(tenantId.toLowerCase()), ROW);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    } finally {
      this.cache?.forget(tenantId.toLowerCase());
    }
  }
}
