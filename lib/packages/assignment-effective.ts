import { beatenBecause, compareAssignments } from "./assignment-priority.js";
import type { Assignment } from "./assignment-schema.js";
import { normalizePackageId } from "./package-id.js";

/** Who asks: the device, its groups, and the user (primary or signed-in) with the user's groups (transitive, resolved by the caller). */
export interface DeliveryAudience {
  deviceId: string;
  deviceGroupIds: readonly string[];
  userId?: string | undefined;
  userGroupIds: readonly string[];
}

/** An assignment that reaches the audience, with each way it reaches it ("device", "user", "group g1 (user's group)", "all"). */
export interface ReachingAssignment {
  assignment: Assignment;
  reachedBy: string[];
}

/** A beaten assignment and why it lost. */
export interface BeatenAssignment extends ReachingAssignment {
  beatenBecause: string;
}

/** The decision for one package id: the winning assignment and the ones it beat (winner first order). */
export interface EffectivePackage {
  /** Lower-case package id. */
  key: string;
  winner: ReachingAssignment;
  beaten: BeatenAssignment[];
}

const lower = (s: string): string => s.toLowerCase();

/** The ways the assignment reaches the audience; [] when it does not. */
export function reachesBy(assignment: Assignment, audience: DeliveryAudience): string[] {
  const t = assignment.target;
  switch (t.type) {
    case "all":
      return ["all"];
    case "device":
      return lower(t.id) === lower(audience.deviceId) ? ["device"] : [];
    case "user":
      return audience.userId !== undefined && lower(t.id) === lower(audience.userId) ? ["user"] : [];
    case "group": {
      const id = lower(t.id);
      const out: string[] = [];
      if (audience.userGroupIds.some((g) => lower(g) === id)) out.push(`group ${t.id} (user's group)`);
      if (audience.deviceGroupIds.some((g) => lower(g) === id)) out.push(`group ${t.id} (device's group)`);
      return out;
    }
  }
}

/** Per lower-case package id, the winning assignment among those reaching the audience (PRIORITY_RULE) and the beaten ones. */
export function effectiveAssignments(assignments: readonly Assignment[], audience: DeliveryAudience): Map<string, EffectivePackage> {
  const reaching = new Map<string, ReachingAssignment[]>();
  for (const assignment of assignments) {
    const reachedBy = reachesBy(assignment, audience);
    if (reachedBy.length === 0) continue;
    const key = normalizePackageId(assignment.packageId);
    const list = reaching.get(key);
    if (list === undefined) reaching.set(key, [{ assignment, reachedBy }]);
    else list.push({ assignment, reachedBy });
  }
  const out = new Map<string, EffectivePackage>();
  for (const key of [...reaching.keys()].sort()) {
    const sorted = (reaching.get(key) ?? []).sort((a, b) => compareAssignments(a.assignment, b.assignment));
    const [winner, ...rest] = sorted;
    if (winner === undefined) continue;
    out.set(key, {
      key,
      winner,
      beaten: rest.map((r) => ({ ...r, beatenBecause: beatenBecause(winner.assignment, r.assignment) })),
    });
  }
  return out;
}
