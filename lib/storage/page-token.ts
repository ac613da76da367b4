import { z } from "zod";
import { AppError } from "../core/errors.js";
import { TABLE_KEY_MAX_CHARS } from "./limits.js";

/*
 * Continuation tokens handed to clients are opaque: base64url of {v, pk, rk}, checked on the way back in,
 * so a malformed token is a 400, never an SDK parse failure. pk and rk are the service's own opaque
 * x-ms-continuation values (not our keys), so a token cannot be tied to a partition here; the query's
 * PartitionKey filter keeps any token inside the caller's realm. The Table SDK's own token is base64 of
 * {nextPartitionKey, nextRowKey}; this module is the only place that knows it.
 */

// The service encodes a key into its continuation value (Azure: "1!<length>!<base64>"), so allow for growth.
const MAX_PART_CHARS = 2 * TABLE_KEY_MAX_CHARS + 32;
/** The longest token this module issues, base64url of the JSON around two parts. */
export const MAX_PAGE_TOKEN_CHARS = Math.ceil(((2 * MAX_PART_CHARS + 64) * 4) / 3);

const ourToken = z
  .object({
    v: z.literal(1),
    pk: z.string().min(1).max(MAX_PART_CHARS),
    rk: z.string().max(MAX_PART_CHARS).optional(),
  })
  .strict();

const sdkToken = z.object({ nextPartitionKey: z.string(), nextRowKey: z.string().optional() });

/** Our opaque token for the SDK's continuation token of a page; undefined when there is no next page. */
export function toPageToken(tableToken: string | undefined): string | undefined {
  if (tableToken === undefined || tableToken === "") return undefined;
  const parsed = sdkToken.parse(JSON.parse(Buffer.from(tableToken, "base64").toString("utf8")));
  const token = { v: 1, pk: parsed.nextPartitionKey, ...(parsed.nextRowKey === undefined ? {} : { rk: parsed.nextRowKey }) };
  return Buffer.from(JSON.stringify(token), "utf8").toString("base64url");
}

/**
 * The SDK's continuation token for one of our tokens. Throws AppError validation "invalid-continuation-token"
 * when the token is not one we issued.
 */
export function fromPageToken(token: string): string {
  const invalid = new AppError("validation", "The continuationToken is not one this service issued; start the listing again", {
    code: "invalid-continuation-token",
  });
  if (token.length > MAX_PAGE_TOKEN_CHARS || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw invalid;
  }
  const parsed = ourToken.safeParse(json);
  if (!parsed.success) throw invalid;
  const next = { nextPartitionKey: parsed.data.pk, ...(parsed.data.rk === undefined ? {} : { nextRowKey: parsed.data.rk }) };
  return Buffer.from(JSON.stringify(next), "utf8").toString("base64");
}
