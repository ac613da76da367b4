import type { z } from "zod";
import { AppError } from "../core/errors.js";

/** At most this many problems are listed; the rest are counted. */
export const MAX_LISTED_ISSUES = 20;
const MAX_PATH_CHARS = 200;
const MAX_MESSAGE_CHARS = 300;
const MAX_NAMED_KEYS = 5;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

// zod lists every unrecognized key in one message (60,000 keys made a 1.4 MB answer): name a few, count the rest.
function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    const named = issue.keys.slice(0, MAX_NAMED_KEYS).map((k) => JSON.stringify(clip(k, 40)));
    const more = issue.keys.length - named.length;
    return `Unrecognized key${issue.keys.length === 1 ? "" : "s"}: ${named.join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
  }
  return clip(issue.message, MAX_MESSAGE_CHARS);
}

/**
 * Parses untrusted input with a schema; throws 400 listing the first problems by path (values are never
 * echoed, long paths and messages are clipped) with `errorCount` the total, so the answer stays small.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = "body"): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const problems = issues
    .slice(0, MAX_LISTED_ISSUES)
    .map((i) => ({ path: clip(i.path.map(String).join(".") || what, MAX_PATH_CHARS), message: messageOf(i) }));
  const more = issues.length - problems.length;
  const listed = problems.map((p) => `${p.path}: ${p.message}`).join("; ");
  throw new AppError("validation", `The ${what} is invalid: ${listed}${more > 0 ? `; and ${more} more problems` : ""}`, {
    code: "invalid-" + what,
    extensions: { errors: problems, errorCount: issues.length },
  });
}
