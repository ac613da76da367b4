import type { TableClient } from "@azure/data-tables";
import { keyPart } from "../storage/keys.js";
import { isNotFound } from "../storage/rest-error.js";
import { updateWithRetry, withoutSystemFields } from "../storage/optimistic.js";
import type { DeviceTrustMode, Realm, RealmLookup, RealmStatus } from "./realm.js";

interface RealmEntity {
  name: string;
  slug?: string;
  status: RealmStatus;
  deviceTrust: DeviceTrustMode;
  deviceCaPem?: string;
  noGraph: boolean;
  createdAt: string;
  deletedAt?: string;
}

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
  };
}

/** Realms in Table Storage: PartitionKey is the tenant id, one row per realm. */
export class RealmRepository implements RealmLookup {
  constructor(private readonly table: () => Promise<TableClient>) {}

  /** The realm, any status; undefined when never registered. */
  async get(tenantId: string): Promise<Realm | undefined> {
    const id = tenantId.toLowerCase();
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
    await client.upsertEntity({ partitionKey: keyPart(realm.id.toLowerCase()), rowKey: ROW, ...toEntity(realm) }, "Replace");
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
    const stored = await updateWithRetry<RealmEntity>(client, keyPart(id), ROW, (current) => {
      const next = mutate(current === undefined ? undefined : toRealm(id, current));
      return next === undefined ? undefined : toEntity({ ...next, id });
    });
    return stored === undefined ? undefined : toRealm(id, stored);
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
    }
  }
}
