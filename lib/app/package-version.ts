import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let version: string | undefined;

/** The version in the project's package.json, found by walking up from this file (works from lib/ and dist/lib/). */
export function packageVersion(): string {
  if (version !== undefined) return version;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const parsed = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (parsed.name === "realmjoin-backend" && typeof parsed.version === "string") {
        version = parsed.version;
        return version;
      }
    } catch {
      // no package.json at this level: keep walking up
    }
    dir = dirname(dir);
  }
  version = "0.0.0";
  return version;
}
