import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { EMBEDDED_STORAGE, parseSettings, type Settings } from "../config/settings.js";
import { DEV_OPERATOR_TENANT_ID } from "./dev-operator.js";

export interface LocalSettingsInput {
  /** The environment (process.env at the CLI, a literal map in tests). */
  env: Record<string, string | undefined>;
  dataDir: string;
  fast: boolean;
  /** Folder holding local.settings.json, if any (as `func start` reads it). */
  projectDir?: string;
}

function localSettingsFile(projectDir: string | undefined): Record<string, string> {
  if (projectDir === undefined) return {};
  const file = resolve(projectDir, "local.settings.json");
  if (!existsSync(file)) return {};
  const parsed = JSON.parse(readFileSync(file, "utf8")) as { Values?: Record<string, unknown> };
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed.Values ?? {})) if (typeof v === "string") values[k] = v;
  return values;
}

/**
 * The local host's settings: its defaults (embedded storage, dev identity provider on), then
 * local.settings.json, then the environment; --data and --fast win over all.
 */
export function localHostSettings(input: LocalSettingsInput): Settings {
  const merged: Record<string, string | undefined> = {
    AzureWebJobsStorage: EMBEDDED_STORAGE,
    RJ_DEV_IDENTITY_PROVIDER: "true",
    RJ_OPERATOR_TENANT_ID: DEV_OPERATOR_TENANT_ID,
    ...localSettingsFile(input.projectDir),
    ...Object.fromEntries(Object.entries(input.env).filter(([, v]) => v !== undefined && v !== "")),
    RJ_DATA_DIR: input.dataDir,
  };
  if (input.fast) merged["RJ_TIME_SCALE"] = "60";
  return parseSettings(merged);
}
