import type { z } from "zod";
import { AppError } from "../core/errors.js";

/** Parses untrusted input with a schema; throws 400 listing each problem by path (values are never echoed). */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = "body"): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join(".") || what, message: i.message }));
  throw new AppError("validation", `The ${what} is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`, {
    code: "invalid-" + what,
    extensions: { errors: problems },
  });
}
