import type { HttpRequest } from "@azure/functions";
import { z } from "zod";
import { parseInput } from "./validation.js";

const flag = z.enum(["true", "false"]).optional();
const schema = z.object({ force: flag, dryRun: flag });

/** What an admin change that can alter deliveries asks for: proceed despite its impact, or only report the impact. */
export interface ChangeFlags {
  force: boolean;
  dryRun: boolean;
}

/** `?force=true` and `?dryRun=true` (absent: false); any other value answers 400 invalid-query. */
export function changeFlags(request: HttpRequest): ChangeFlags {
  const q = parseInput(schema, { force: request.query.get("force") ?? undefined, dryRun: request.query.get("dryRun") ?? undefined }, "query");
  return { force: q.force === "true", dryRun: q.dryRun === "true" };
}
