import type { BeatenAssignment, ReachingAssignment } from "./assignment-effective.js";
import { PRIORITY_RULE } from "./assignment-priority.js";
import type { AssignmentIntent, AssignmentTarget } from "./assignment-schema.js";
import { DEPENDENCY_GROUP_RULE } from "./catalogue-dependencies.js";
import type { DeliveryPlan } from "./manifest-plan.js";
import type { DeliveredIntent, ManifestUndeliverableReason } from "./manifest-types.js";
import { normalizePackageId } from "./package-id.js";

/** One assignment as the explanation shows it. */
export type ExplainedAssignment = {
  assignmentId: string;
  intent: AssignmentIntent;
  target: AssignmentTarget;
  range?: string;
  /** How it reaches the device: "device", "user", "group g1 (user's group)", "group g1 (device's group)", "all". */
  reachedBy: string[];
  /** For beaten assignments: why the winner beat it. */
  beatenBecause?: string;
};

/** What happens to the package on this device. */
export type ExplainOutcome = "delivered" | "undeliverable" | "excluded" | "uninstall" | "not-assigned";

/** The answer of GET /api/admin/v1/devices/{id}/explain/{packageId}. */
export type PackageExplanation = {
  packageId: string;
  deviceId: string;
  outcome: ExplainOutcome;
  /** The manifest intent when delivered ("dependency" when only other packages need it). */
  intent?: DeliveredIntent;
  winner?: ExplainedAssignment;
  beaten: ExplainedAssignment[];
  selectedVersion?: string;
  /** Chain of ids from an assigned package to this one (just this id when it is assigned itself). */
  dependencyPath?: string[];
  /** Delivered packages that need this one. */
  requiredBy?: string[];
  undeliverable?: { reason: ManifestUndeliverableReason; detail: string };
  rules: { priority: string; selection: string; dependencyGroup: string };
};

function explained(r: ReachingAssignment | BeatenAssignment): ExplainedAssignment {
  const a = r.assignment;
  return {
    assignmentId: a.assignmentId,
    intent: a.intent,
    target: a.target,
    ...(a.range === undefined ? {} : { range: a.range }),
    reachedBy: r.reachedBy,
    ...("beatenBecause" in r ? { beatenBecause: r.beatenBecause } : {}),
  };
}

/** Why the device gets (or does not get) the package, read from its plan; "not-assigned" when nothing reaches it or needs it. */
export function explainPackage(plan: DeliveryPlan, packageId: string): PackageExplanation {
  const key = normalizePackageId(packageId);
  const effective = plan.effective.get(key);
  const delivered = plan.delivered.find((p) => normalizePackageId(p.id) === key);
  const failed = plan.undeliverable.find((u) => normalizePackageId(u.id) === key);
  const placed = plan.placement.get(key);
  const intent = effective?.winner.assignment.intent;

  let outcome: ExplainOutcome;
  if (delivered !== undefined) outcome = "delivered";
  else if (failed !== undefined) outcome = "undeliverable";
  else if (intent === "exclude") outcome = "excluded";
  else if (intent === "uninstall") outcome = "uninstall";
  else outcome = "not-assigned";

  return {
    packageId: delivered?.id ?? failed?.id ?? effective?.winner.assignment.packageId ?? packageId,
    deviceId: plan.deviceId,
    outcome,
    ...(delivered ? { intent: delivered.intent, selectedVersion: delivered.version } : {}),
    ...(effective ? { winner: explained(effective.winner) } : {}),
    beaten: effective?.beaten.map(explained) ?? [],
    ...(placed && (delivered || failed) ? { dependencyPath: placed.path } : {}),
    ...(placed && delivered ? { requiredBy: placed.requiredBy } : {}),
    ...(failed ? { undeliverable: { reason: failed.reason, detail: failed.detail } } : {}),
    rules: { priority: PRIORITY_RULE, selection: plan.selectionRule, dependencyGroup: DEPENDENCY_GROUP_RULE },
  };
}
