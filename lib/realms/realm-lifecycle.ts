import type { AppServices } from "../app/services.js";
import { AppError, conflict, notFound } from "../core/errors.js";
import type { Realm } from "./realm.js";
import type { RealmInput } from "./realm-input.js";
import { purgeRealm, type RealmPurgeDeps } from "./realm-purge.js";

/** What creating a realm needs; a slice of AppServices so tests can pass exactly these. */
export type RealmLifecycleDeps = Pick<AppServices, "realms" | "keyRing" | "branchCache" | "policies" | "tables" | "clock"> & RealmPurgeDeps;

// Enough for what creation writes (key ring, passphrase, realm policy) many times over.
const UNDO_BUDGET = 1000;

/** The tables every realm writes to; created up front so a new realm's first request creates nothing. */
export const REALM_TABLES = ["Realms", "Policies", "Devices", "DeviceReports", "Directory", "RealmSecrets"] as const;

/**
 * Creates or updates a realm and everything it needs, idempotently: its tables, its signing key, its wrapped
 * BranchCache passphrase and its (empty) realm policy, then the realm record, written last so that a realm
 * becomes known only once complete. An update keeps status, createdAt and slug. Returns the stored realm and
 * whether it is new; throws AppError conflict "realm-deleted" for a deleted realm that is not purged yet.
 * When creating a new realm fails at any step, the rows and blobs written for it so far are removed again
 * (as a purge would), so a failed creation leaves nothing behind; the error is rethrown.
 */
export async function putRealm(deps: RealmLifecycleDeps, tenantId: string, input: RealmInput): Promise<{ realm: Realm; created: boolean }> {
  const id = tenantId.toLowerCase();
  const existing = await deps.realms.get(id);
  if (existing?.status === "deleted") throw conflict("This realm was deleted and awaits its purge; it cannot be changed", "realm-deleted");
  if (existing !== undefined) return await writeRealm(deps, id, input);
  try {
    return await writeRealm(deps, id, input);
  } catch (error) {
    // Only while no record exists: a concurrent creation that won owns these rows.
    if ((await deps.realms.get(id).catch(() => existing)) === undefined) {
      await purgeRealm(deps, id, UNDO_BUDGET).catch(() => undefined);
      deps.keyRing.forget(id);
    }
    throw error;
  }
}

async function writeRealm(deps: RealmLifecycleDeps, id: string, input: RealmInput): Promise<{ realm: Realm; created: boolean }> {
  const now = new Date(deps.clock.now()).toISOString();

  for (const table of REALM_TABLES) await deps.tables.table(table);
  await deps.keyRing.currentSigner(id);
  await deps.branchCache.ensure(id);
  if ((await deps.policies.get(id, { kind: "realm" })) === undefined) {
    try {
      await deps.policies.put(id, { kind: "realm" }, {}, now, "absent");
    } catch (e) {
      // A concurrent PUT created it first: theirs is as good as ours.
      if (!(e instanceof AppError && e.kind === "precondition-failed")) throw e;
    }
  }

  let created = false;
  const realm = await deps.realms.update(id, (current) => {
    if (current?.status === "deleted") throw conflict("This realm was deleted and awaits its purge; it cannot be changed", "realm-deleted");
    created = current === undefined;
    const next: Realm = {
      ...(current ?? { id, status: "active" as const, createdAt: now }),
      id,
      name: input.name,
      deviceTrust: input.deviceTrust,
      noGraph: input.noGraph,
    };
    if (input.deviceTrust === "device-ca" && input.deviceCaPem !== undefined) next.deviceCaPem = input.deviceCaPem;
    else delete next.deviceCaPem;
    return next;
  });
  if (realm === undefined) throw new Error("realm update returned nothing");
  return { realm, created };
}

/** The status transitions an operator may ask for. */
export type RealmAction = "disable" | "enable" | "delete";

/**
 * Applies a status change: disable (active -> disabled), enable (disabled -> active), delete (-> deleted with
 * deletedAt, soft: the realm answers as unknown at once). Repeating a change is a no-op. Returns the realm;
 * throws AppError not-found when the realm is unknown (or, for disable/enable, already deleted).
 */
export async function changeRealmStatus(deps: Pick<AppServices, "realms" | "clock">, tenantId: string, action: RealmAction): Promise<Realm> {
  const now = new Date(deps.clock.now()).toISOString();
  const realm = await deps.realms.update(tenantId, (current) => {
    if (current === undefined) throw notFound("Unknown realm");
    if (current.status === "deleted") {
      if (action === "delete") return undefined;
      throw notFound("Unknown realm");
    }
    if (action === "delete") return { ...current, status: "deleted", deletedAt: now };
    const status = action === "disable" ? "disabled" : "active";
    return current.status === status ? undefined : { ...current, status };
  });
  if (realm === undefined) throw notFound("Unknown realm");
  return realm;
}
