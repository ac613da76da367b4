import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import { z } from "zod";
import { parseTolerantInput } from "../http/tolerant-input.js";
import { parseInput } from "../http/validation.js";
import type { StepKind } from "./steps.js";

const DETAIL_MAX = 500;
const printable = /^[^\p{Cc}]*$/u;

/**
 * The body of POST /onboarding/{runId}/steps/{stepId}, detail bounded; data is checked per step kind. The objects are
 * strict so that unknown fields are found: the route reads tolerantly (they are dropped and counted, never refused).
 */
export const stepResultBodySchema = z
  .object({
    outcome: z.enum(["succeeded", "failed"]),
    detail: z.string().max(DETAIL_MAX).regex(printable, "no control characters").optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type StepResultBody = z.infer<typeof stepResultBodySchema>;

const id = z.string().min(1).max(128).regex(/^[A-Za-z0-9{}._:-]+$/, "letters, digits and {}._:-");

/** A BitLocker numerical recovery password: eight groups of six digits. */
const recoveryPassword = z.string().regex(/^\d{6}(-\d{6}){7}$/, "eight groups of six digits");

const bitlockerData = z
  .object({ protectorId: id.optional(), keyId: id, joinedToEntra: z.boolean().optional(), recoveryKey: recoveryPassword.optional() })
  .strict()
  .refine((d) => !(d.joinedToEntra === true && d.recoveryKey !== undefined), { message: "a device joined to Entra ID escrows its key there, never here" })
  .refine((d) => !(d.joinedToEntra === false && d.recoveryKey === undefined), { message: "a device not joined to Entra ID must send its recovery key" });

export type BitlockerData = z.infer<typeof bitlockerData>;

// Each kind's data is allow-listed; second-identity takes the account name only, so no password can ride along.
const dataSchemas = {
  check: z.object({}).strict(),
  bitlocker: bitlockerData,
  install: z.object({ version: z.string().min(1).max(64).regex(/^[0-9A-Za-z.+-]+$/).optional() }).strict(),
  restart: z.object({ bootId: id }).strict(),
  "confirm-user": z.object({}).strict(),
  "second-identity": z.object({ accountName: z.string().min(1).max(256).regex(/^[^\p{Cc}"/[\]:;|=,+*?<>]+$/u, "an account name like DOMAIN\\user") }).strict(),
} as const;

/** What a succeeded step must report (absent data is fine for a failed one). */
const requiredOnSuccess: Partial<Record<StepKind, true>> = { bitlocker: true, restart: true, "second-identity": true };

export type StepData = { kind: "bitlocker"; data: BitlockerData | undefined } | { kind: Exclude<StepKind, "bitlocker">; data: Record<string, string> | undefined };

/**
 * Validates the data of a result for a step kind, dropping fields it does not know (a newer agent's; reported to
 * `onIgnored` as "data.<field>"); throws AppError validation (values never echoed).
 */
export function parseStepData(kind: StepKind, body: StepResultBody, onIgnored: (paths: string[]) => void = () => undefined): StepData {
  if (body.data === undefined) {
    if (body.outcome === "succeeded" && requiredOnSuccess[kind] === true) parseInput(dataSchemas[kind], {}, "data");
    return { kind, data: undefined };
  }
  if (kind === "bitlocker") {
    const parsed = parseTolerantInput(dataSchemas.bitlocker, body.data, "data");
    onIgnored(parsed.ignored.map((p) => `data.${p}`));
    return { kind, data: parsed.value };
  }
  const parsed = parseTolerantInput(dataSchemas[kind], body.data, "data");
  onIgnored(parsed.ignored.map((p) => `data.${p}`));
  return { kind, data: parsed.value };
}

// Every data field any step kind knows: fields beyond these are ignored, so they must not make a repeat "different".
const KNOWN_DATA_FIELDS: ReadonlySet<string> = new Set(Object.values(dataSchemas).flatMap((schema) => Object.keys(schema.shape)));

/** The fingerprint of a result: equal for an identical repeat (unknown data fields aside). The recovery key never enters it. */
export function resultHash(body: StepResultBody): string {
  const known = Object.entries(body.data ?? {}).filter(([name]) => KNOWN_DATA_FIELDS.has(name));
  const { recoveryKey: _secret, ...data } = Object.fromEntries(known);
  const canonical = canonicalize({ outcome: body.outcome, detail: body.detail ?? null, data }) ?? "";
  return createHash("sha256").update(canonical).digest("hex");
}
