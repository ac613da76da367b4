import { AppError } from "../core/errors.js";
import type { Assignment } from "./assignment-schema.js";
import type { CatalogueRecord } from "./catalogue-record.js";
import type { DeliverySnapshot } from "./delivery-snapshot-cache.js";
import { currentlyUndeliverable, deliveryImpact, withAssignment, withoutVersion, withRecord, type BrokenRequiredPackage, type DeliveryImpact, type FleetMember } from "./delivery-impact.js";
import type { DeliveryService } from "./manifest-service.js";

/** The realm's devices as delivery sees them (audience and legacy-hash policy). */
export interface FleetSource {
  fleet(realmId: string): Promise<FleetMember[]>;
}

/** An admin change that can alter what devices receive. */
export type DeliveryChange =
  | { kind: "publish"; record: CatalogueRecord }
  | { kind: "delete-version"; id: string; version: string }
  | { kind: "put-assignment"; assignment: Assignment }
  | { kind: "delete-assignment"; assignmentId: string };

/** What the request asked for: proceed despite a breaking impact (force), or only report it (dryRun). */
export interface ImpactFlags {
  force: boolean;
  dryRun: boolean;
}

/** At most this many affected packages go into a 409 (the counts stay exact). */
const LISTED = 100;

function after(snapshot: DeliverySnapshot, change: DeliveryChange): DeliverySnapshot {
  switch (change.kind) {
    case "publish":
      return { assignments: snapshot.assignments, catalogue: withRecord(snapshot.catalogue, change.record) };
    case "delete-version":
      return { assignments: snapshot.assignments, catalogue: withoutVersion(snapshot.catalogue, change.id, change.version) };
    case "put-assignment":
      return { assignments: withAssignment(snapshot.assignments, change.assignment.assignmentId, change.assignment), catalogue: snapshot.catalogue };
    case "delete-assignment":
      return { assignments: withAssignment(snapshot.assignments, change.assignmentId, undefined), catalogue: snapshot.catalogue };
  }
}

/** The 409 a breaking change answers without force: the affected packages with counts and reasons. */
export function wouldBreakRequired(impact: DeliveryImpact): AppError {
  const n = impact.affected.length;
  return new AppError(
    "conflict",
    `${n} required package${n === 1 ? "" : "s"} would become undeliverable for ${impact.devices} device${impact.devices === 1 ? "" : "s"} and ${impact.users} user${impact.users === 1 ? "" : "s"}; ` +
      "repeat with ?force=true to make the change anyway, or ?dryRun=true to only see its impact",
    {
      code: "would-break-required",
      extensions: { devices: impact.devices, users: impact.users, affected: impact.affected.slice(0, LISTED), ...(n > LISTED ? { affectedListed: LISTED, affectedTotal: n } : {}) },
    },
  );
}

/** Impact checks of admin changes against the realm's fleet, and the realm's current undeliverable required packages. */
export class ImpactService {
  constructor(private readonly deps: { delivery: DeliveryService; fleet: FleetSource }) {}

  /** What the change would do to required packages of the realm's devices. Throws only storage errors. */
  async evaluate(realmId: string, change: DeliveryChange): Promise<DeliveryImpact> {
    const [snapshot, fleet] = await Promise.all([this.deps.delivery.snapshotOf(realmId), this.deps.fleet.fleet(realmId)]);
    return deliveryImpact(realmId, snapshot, after(snapshot, change), fleet);
  }

  /**
   * The change's impact; throws the 409 would-break-required when required packages would become undeliverable,
   * unless flags.force or flags.dryRun (a dry run reports instead of refusing).
   */
  async guard(realmId: string, change: DeliveryChange, flags: ImpactFlags): Promise<DeliveryImpact> {
    const impact = await this.evaluate(realmId, change);
    if (impact.wouldBreakRequired && !flags.force && !flags.dryRun) throw wouldBreakRequired(impact);
    return impact;
  }

  /** Required packages undeliverable right now, with the devices and users affected (GET /packages/undeliverable). */
  async undeliverable(realmId: string): Promise<{ devices: number; users: number; packages: BrokenRequiredPackage[] }> {
    const [snapshot, fleet] = await Promise.all([this.deps.delivery.snapshotOf(realmId), this.deps.fleet.fleet(realmId)]);
    return currentlyUndeliverable(realmId, snapshot, fleet);
  }
}
