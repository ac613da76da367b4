import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { EMBEDDED_STORAGE, parseSettings, SettingsError, type Settings } from "../config/settings.js";
import { DEV_OPERATOR_TENANT_ID } from "./dev-operator.js";

export interface LocalSettingsInput {
  /** The environment (process.env at the CLI, a literal map in tests). */
  env: Record<string, string | undefined>;
  dataDir: string;
  fast: boolean;
  /** `--dev-identity`: the dev identity provider although storage is not the embedded Azurite. */
  devIdentity?: boolean;
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
 * The local host's settings: its defaults (embedded storage, dev operator tenant), then
 * local.settings.json, then the environment; --data and --fast win over all. The dev identity provider
 * (anyone can mint tokens with it) is on by default only with the embedded Azurite; with any other
 * storage it needs --dev-identity, and RJ_DEV_IDENTITY_PROVIDER=true alone is refused.
 */
export function localHostSettings(input: LocalSettingsInput): Settings {
  const merged: Record<string, string | undefined> = {
    AzureWebJobsStorage: EMBEDDED_STORAGE,
    RJ_OPERATOR_TENANT_ID: DEV_OPERATOR_TENANT_ID,
    ...localSettingsFile(input.projectDir),
    ...Object.fromEntries(Object.entries(input.env).filter(([, v]) => v !== undefined && v !== "")),
    RJ_DATA_DIR: input.dataDir,
  };
  if (input.fast) merged["RJ_TIME_SCALE"] = "60";
  const embedded = merged["AzureWebJobsStorage"] === EMBEDDED_STORAGE;
  if (input.devIdentity === true) merged["RJ_DEV_IDENTITY_PROVIDER"] = "true";
  else merged["RJ_DEV_IDENTITY_PROVIDER"] ??= embedded ? "true" : "false";
  const settings = parseSettings(merged);
  if (settings.RJ_DEV_IDENTITY_PROVIDER && !embedded && input.devIdentity !== true) {
    throw new SettingsError(
      "Invalid settings: RJ_DEV_IDENTITY_PROVIDER: the dev identity provider runs only with the embedded Azurite; pass --dev-identity to use it with other storage",
    );
  }
  return settings;
}
