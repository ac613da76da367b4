import type { z } from "zod";
import { isAppError } from "../core/errors.js";
import { parseInput } from "./validation.js";

/** A tolerantly parsed input: only the fields the schema knows, and where unknown ones were dropped. */
export interface TolerantParse<T> {
  value: T;
  /** Dotted paths of the ignored fields, array indices as "*" (e.g. "installed.*.vendor"). */
  ignored: string[];
}

// Each round drops the unknown keys zod reported; nesting deeper than this is refused like any invalid input.
const MAX_ROUNDS = 4;

/**
 * Parses input of agents that may be newer than this back-end: unknown object fields, at any depth, are
 * dropped (and reported) instead of refused, so the value holds only known fields. Everything else is as
 * strict as parseInput, which makes the final decision (400 listing the problems). The schema's objects
 * should be strict: that is how unknown fields are found.
 */
export function parseTolerantInput<S extends z.ZodType>(schema: S, input: unknown, what = "body"): TolerantParse<z.infer<S>> {
  const ignored: string[] = [];
  let current = input;
  for (let round = 0; ; round++) {
    try {
      return { value: parseInput(schema, current, what), ignored };
    } catch (error) {
      if (round >= MAX_ROUNDS || !isAppError(error) || error.kind !== "validation") throw error;
      const result = schema.safeParse(current);
      if (result.success) throw error;
      const unknown = result.error.issues.filter((i) => i.code === "unrecognized_keys");
      if (unknown.length === 0) throw error;
      current = structuredClone(current);
      for (const issue of unknown) {
        const holder = at(current, issue.path);
        if (holder === undefined) throw error;
        for (const key of issue.keys) {
          delete holder[key];
          ignored.push([...issue.path.map((p) => (typeof p === "number" ? "*" : String(p))), key].join("."));
        }
      }
    }
  }
}

function at(root: unknown, path: readonly PropertyKey[]): Record<string, unknown> | undefined {
  let node: unknown = root;
  for (const step of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[step];
  }
  return typeof node === "object" && node !== null && !Array.isArray(node) ? (node as Record<string, unknown>) : undefined;
}
