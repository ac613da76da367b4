import type { AppServices } from "../app/services.js";
import type { Realm } from "./realm.js";

const DAY_MS = 86_400_000;

/** What an operator sees of a realm: the record (public CA certificates at most) and, once deleted, when its purge is due. */
export interface RealmView {
  tenantId: string;
  name: string;
  slug?: string;
  status: Realm["status"];
  deviceTrust: Realm["deviceTrust"];
  deviceCaPem?: string;
  noGraph: boolean;
  createdAt: string;
  deletedAt?: string;
  purgeAfter?: string;
}

/** The operator's view of a realm; purgeAfter is deletedAt plus the retention days. */
export function realmView(realm: Realm, retentionDays: number): RealmView {
  const purgeAfter = realm.deletedAt === undefined ? undefined : new Date(Date.parse(realm.deletedAt) + retentionDays * DAY_MS).toISOString();
  return {
    tenantId: realm.id,
    name: realm.name,
    ...(realm.slug === undefined ? {} : { slug: realm.slug }),
    status: realm.status,
    deviceTrust: realm.deviceTrust,
    ...(realm.deviceCaPem === undefined ? {} : { deviceCaPem: realm.deviceCaPem }),
    noGraph: realm.noGraph,
    createdAt: realm.createdAt,
    ...(realm.deletedAt === undefined ? {} : { deletedAt: realm.deletedAt }),
    ...(purgeAfter === undefined ? {} : { purgeAfter }),
  };
}

/** Counts only: how many devices and policies a realm holds (the operator reads no customer data). */
export interface RealmCounts {
  devices: number;
  policies: number;
}

const PAGE = 500;

/** Counts the realm's devices and policies; zeros for a realm without data. Throws on storage errors. */
export async function realmCounts(services: Pick<AppServices, "devices" | "policies">, realmId: string): Promise<RealmCounts> {
  let devices = 0;
  let token: string | undefined;
  do {
    const page = await services.devices.list(realmId, PAGE, token);
    devices += page.devices.length;
    token = page.continuationToken;
  } while (token !== undefined);
  return { devices, policies: (await services.policies.list(realmId)).length };
}
