import type { AssignmentIntent, AssignmentTarget } from "./assignment-schema.js";

/** Highest priority first (API.md): when several assignments of one package reach a device or user, the first wins. */
export const INTENT_PRIORITY: readonly AssignmentIntent[] = ["uninstall", "exclude", "update", "preview", "available", "required"];

/** Between assignments with the same intent, the more specific target wins (then the smaller assignment id). */
export const TARGET_SPECIFICITY: readonly AssignmentTarget["type"][] = ["device", "user", "group", "all"];

/** The priority rule in words, for explanations. */
export const PRIORITY_RULE =
  "The first intent of uninstall > exclude > update > preview > available > required wins; between equal intents the more " +
  "specific target wins (device > user > group > all), then the smaller assignment id. Only the winner's range applies.";

/** Negative when a's intent beats b's, positive when b's beats a's, 0 when equal. */
export const compareIntents = (a: AssignmentIntent, b: AssignmentIntent): number => INTENT_PRIORITY.indexOf(a) - INTENT_PRIORITY.indexOf(b);

/** Orders assignments winner first: intent priority, then target specificity, then assignment id. */
export function compareAssignments(
  a: { intent: AssignmentIntent; target: AssignmentTarget; assignmentId: string },
  b: { intent: AssignmentIntent; target: AssignmentTarget; assignmentId: string },
): number {
  return (
    compareIntents(a.intent, b.intent) ||
    TARGET_SPECIFICITY.indexOf(a.target.type) - TARGET_SPECIFICITY.indexOf(b.target.type) ||
    (a.assignmentId < b.assignmentId ? -1 : a.assignmentId > b.assignmentId ? 1 : 0)
  );
}

/** Why `winner` beat `loser`, in words. */
export function beatenBecause(winner: { intent: AssignmentIntent; target: AssignmentTarget; assignmentId: string }, loser: { intent: AssignmentIntent; target: AssignmentTarget; assignmentId: string }): string {
  if (winner.intent !== loser.intent) return `intent ${winner.intent} takes priority over ${loser.intent}`;
  if (winner.target.type !== loser.target.type) return `same intent; a ${winner.target.type} target is more specific than ${loser.target.type === "all" ? "all" : `a ${loser.target.type}`} target`;
  return `same intent and target kind; assignment id "${winner.assignmentId}" sorts first`;
}
