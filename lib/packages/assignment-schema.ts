import { z } from "zod";
import { validationError } from "../core/errors.js";
import { tryParseRange } from "./nuget-range.js";
import { isValidPackageId } from "./package-id.js";

/** Every intent an assignment may carry (API.md). */
export const ASSIGNMENT_INTENTS = ["required", "available", "preview", "update", "uninstall", "exclude"] as const;
export type AssignmentIntent = (typeof ASSIGNMENT_INTENTS)[number];

/** Intents that deliver a package version to the device. */
export const DELIVERING_INTENTS: ReadonlySet<AssignmentIntent> = new Set(["required", "available", "preview", "update"]);

const ASSIGNMENT_ID = /^[A-Za-z0-9._-]{1,64}$/;
// Entra object ids are GUIDs; the local directory may use other safe tokens. Lower-cased: ids compare case-insensitively.
const targetId = z
  .string()
  .regex(/^[A-Za-z0-9._@-]{1,128}$/, "must be 1-128 characters of A-Z a-z 0-9 . _ @ -")
  .transform((s) => s.toLowerCase());

const targetSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("all") }).strict(),
  z.object({ type: z.literal("user"), id: targetId }).strict(),
  z.object({ type: z.literal("group"), id: targetId }).strict(),
  z.object({ type: z.literal("device"), id: targetId }).strict(),
]);

/** Whom an assignment reaches: everyone in the realm, or one user, group or device (ids lower case). */
export type AssignmentTarget = z.infer<typeof targetSchema>;

/** The PUT body: strict, unknown fields refused; id required except for type "all"; range must parse as a NuGet range. */
export const assignmentBodySchema = z
  .object({
    packageId: z.string().refine(isValidPackageId, "not a valid package id"),
    range: z
      .string()
      .max(256)
      .refine((r) => tryParseRange(r) !== undefined, "not a valid NuGet version range")
      .optional(),
    target: targetSchema,
    intent: z.enum(ASSIGNMENT_INTENTS),
  })
  .strict();

export type AssignmentBody = z.infer<typeof assignmentBodySchema>;

/** A stored assignment. */
export interface Assignment extends AssignmentBody {
  realmId: string;
  assignmentId: string;
  updatedAt: string;
}

/** Returns the id unchanged when it is a safe token [A-Za-z0-9._-]{1,64}; throws AppError validation otherwise. */
export function parseAssignmentId(assignmentId: string): string {
  if (!ASSIGNMENT_ID.test(assignmentId)) {
    throw validationError("assignmentId must be 1-64 characters of A-Z a-z 0-9 . _ -", "invalid-assignment-id");
  }
  return assignmentId;
}

/** The validated body; throws AppError validation naming the first bad field. */
export function parseAssignmentBody(body: unknown): AssignmentBody {
  const parsed = assignmentBodySchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.join(".") ?? "";
  throw validationError(`Invalid assignment: ${where ? `${where}: ` : ""}${issue?.message ?? "invalid"}`, "invalid-assignment");
}
