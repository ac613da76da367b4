import { z } from "zod";
import { validationError } from "../core/errors.js";
import { AUDIT_ID_PATTERN } from "./audit-log.js";

const tokenSchema = z.object({ v: z.literal(1), after: z.string().regex(AUDIT_ID_PATTERN) }).strict();

/** The opaque continuation token of an audit page. */
export function encodeAuditToken(after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after }), "utf8").toString("base64url");
}

/** The position a token holds; throws AppError validation ("bad-continuation-token") for anything we did not issue. */
export function decodeAuditToken(token: string): string {
  if (token.length > 200 || !/^[A-Za-z0-9_-]+$/.test(token)) throw validationError("Malformed continuation token", "bad-continuation-token");
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw validationError("Malformed continuation token", "bad-continuation-token");
  }
  const result = tokenSchema.safeParse(parsed);
  if (!result.success) throw validationError("Malformed continuation token", "bad-continuation-token");
  return result.data.after;
}
