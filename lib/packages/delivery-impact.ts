/*
 * The impact of an admin change on required packages: which become undeliverable, for how many devices and users,
 * and why. A plan depends only on the assignments that reach an audience (and on whether its policy accepts legacy
 * hashes), so audiences are grouped by that and each group is planned twice (before, after): the cost grows with the
 * number of distinct target combinations in the fleet, not with the number of devices.
 */
import { reachesBy, type DeliveryAudience } from "./assignment-effective.js";
import type { Assignment } from "./assignment-schema.js";
import type { CatalogueRecord } from "./catalogue-record.js";
import type { DeliverySnapshot } from "./delivery-snapshot-cache.js";
import { planDelivery, type DeliveryPlan } from "./manifest-plan.js";
import type { ManifestUndeliverableReason } from "./manifest-types.js";
import { normalizePackageId } from "./package-id.js";

/** One device of the fleet as delivery sees it. */
export interface FleetMember {
  audience: DeliveryAudience;
  acceptLegacyHashes: boolean;
}

/** A required package the change would make undeliverable. */
export interface BrokenRequiredPackage {
  packageId: string;
  reason: ManifestUndeliverableReason;
  detail: string;
  /** Devices for which it would become undeliverable. */
  devices: number;
  /** Distinct users (primary users of those devices). */
  users: number;
}

/** What a change would do to required packages. */
export interface DeliveryImpact {
  /** True when at least one required package would become undeliverable for at least one device. */
  wouldBreakRequired: boolean;
  /** Devices and users losing at least one required package. */
  devices: number;
  users: number;
  affected: BrokenRequiredPackage[];
  /** Devices considered, and the distinct audiences planned (each twice). */
  devicesConsidered: number;
  audiencesPlanned: number;
}

/** A required package undeliverable in the plan, by lower-case id. */
export interface UndeliverableRequired {
  packageId: string;
  reason: ManifestUndeliverableReason;
  detail: string;
}

/** The required packages (winning intent "required") the plan cannot deliver, by lower-case id. */
export function undeliverableRequired(plan: DeliveryPlan): Map<string, UndeliverableRequired> {
  const out = new Map<string, UndeliverableRequired>();
  for (const u of plan.undeliverable) {
    const key = normalizePackageId(u.id);
    if (plan.effective.get(key)?.winner.assignment.intent === "required") out.set(key, { packageId: u.id, reason: u.reason, detail: u.detail });
  }
  // A required package whose id the catalogue no longer has at all (the resolver reports it as missing).
  return out;
}

function groupKey(assignments: readonly Assignment[], member: FleetMember): string {
  const reaching = assignments.filter((a) => reachesBy(a, member.audience).length > 0).map((a) => a.assignmentId);
  return `${member.acceptLegacyHashes ? "L" : "-"}|${[...new Set(reaching)].sort().join(",")}`;
}

/** Groups the fleet by what reaches it, over the assignments of both states (so a group never mixes two outcomes). */
export function groupFleet(fleet: readonly FleetMember[], assignments: readonly Assignment[]): Map<string, FleetMember[]> {
  const groups = new Map<string, FleetMember[]>();
  for (const member of fleet) {
    const key = groupKey(assignments, member);
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [member]);
    else list.push(member);
  }
  return groups;
}

const plan = (realmId: string, snapshot: DeliverySnapshot, member: FleetMember): DeliveryPlan =>
  planDelivery({ realmId, audience: member.audience, assignments: snapshot.assignments, catalogue: snapshot.catalogue, acceptLegacyHashes: member.acceptLegacyHashes, baseUrl: "" });

/** Required packages that are deliverable before and not after, per device, summed over the fleet. Pure. */
export function deliveryImpact(realmId: string, before: DeliverySnapshot, after: DeliverySnapshot, fleet: readonly FleetMember[]): DeliveryImpact {
  const all = [...before.assignments, ...after.assignments];
  const groups = groupFleet(fleet, all);
  const perPackage = new Map<string, { entry: UndeliverableRequired; devices: Set<string>; users: Set<string> }>();
  const devices = new Set<string>();
  const users = new Set<string>();
  for (const members of groups.values()) {
    const sample = members[0];
    if (sample === undefined) continue;
    const was = undeliverableRequired(plan(realmId, before, sample));
    const now = undeliverableRequired(plan(realmId, after, sample));
    for (const [key, entry] of now) {
      if (was.has(key)) continue;
      let counted = perPackage.get(key);
      if (counted === undefined) perPackage.set(key, (counted = { entry, devices: new Set(), users: new Set() }));
      for (const m of members) {
        counted.devices.add(m.audience.deviceId);
        devices.add(m.audience.deviceId);
        if (m.audience.userId !== undefined) {
          counted.users.add(m.audience.userId.toLowerCase());
          users.add(m.audience.userId.toLowerCase());
        }
      }
    }
  }
  const affected = [...perPackage.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, c]) => ({ ...c.entry, devices: c.devices.size, users: c.users.size }));
  return { wouldBreakRequired: affected.length > 0, devices: devices.size, users: users.size, affected, devicesConsidered: fleet.length, audiencesPlanned: groups.size };
}

/** The fleet's required packages undeliverable right now, with counts (the realm-level list). */
export function currentlyUndeliverable(realmId: string, snapshot: DeliverySnapshot, fleet: readonly FleetMember[]): { devices: number; users: number; packages: BrokenRequiredPackage[] } {
  return (({ devices, users, affected }) => ({ devices, users, packages: affected }))(deliveryImpact(realmId, { assignments: [], catalogue: [] }, snapshot, fleet));
}

/** The catalogue with one record added (replacing the same id and version). */
export function withRecord(catalogue: readonly CatalogueRecord[], record: CatalogueRecord): CatalogueRecord[] {
  return [...withoutVersion(catalogue, record.id, record.version), record];
}

/** The catalogue without one id and version. */
export function withoutVersion(catalogue: readonly CatalogueRecord[], id: string, version: string): CatalogueRecord[] {
  const key = normalizePackageId(id);
  const v = version.toLowerCase();
  return catalogue.filter((r) => !(normalizePackageId(r.id) === key && r.version.toLowerCase() === v));
}

/** The assignments with one put (replacing the same id) or, with `next` undefined, removed. */
export function withAssignment(assignments: readonly Assignment[], assignmentId: string, next: Assignment | undefined): Assignment[] {
  const rest = assignments.filter((a) => a.assignmentId !== assignmentId);
  return next === undefined ? rest : [...rest, next];
}
