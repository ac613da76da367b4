import { z } from "zod";

/** The value of AzureWebJobsStorage that means "the local host starts its own Azurite". */
export const EMBEDDED_STORAGE = "UseDevelopmentStorage=true";

/** FUNCTIONS_REQUEST_BODY_SIZE_LIMIT's default under the Functions host: 100 MB. */
const REQUEST_BODY_LIMIT_DEFAULT = 104_857_600;

/** Body limits of the app that can never exceed the host's: a larger explicit value is refused, a default follows it down. */
const BODY_LIMITS = ["RJ_UPLOAD_LIMIT_BYTES", "RJ_JSON_BODY_LIMIT_BYTES"] as const;

const bool = z
  .enum(["true", "false", "1", "0"])
  .transform((v) => v === "true" || v === "1");
const positiveInt = z.coerce.number().int().positive();
const url = z.url();

/**
 * Every setting the app reads, by its environment name. The Bicep in infra/ must set each required
 * one and nothing else (a test holds the two together).
 */
export const settingsSchema = z.object({
  AzureWebJobsStorage: z.string().min(1).optional(),
  AzureWebJobsStorage__accountName: z.string().min(3).optional(),
  AzureWebJobsStorage__clientId: z.string().optional(),
  AzureWebJobsStorage__credential: z.string().optional(),
  /** Identity-based storage at other endpoints than <account>.blob/table.core.windows.net (sovereign clouds, emulators); the Functions host reads the same names. */
  AzureWebJobsStorage__blobServiceUri: url.optional(),
  AzureWebJobsStorage__tableServiceUri: url.optional(),
  RJ_TABLE_PREFIX: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,19}$/, "letters and digits, starting with a letter").default("rj"),
  RJ_AUDIENCES: z.string().min(1).default("api://realmjoin-backend"),
  RJ_ENTRA_AUTHORITY: url.default("https://login.microsoftonline.com"),
  RJ_ENTRA_V1_ISSUER_BASE: url.default("https://sts.windows.net"),
  RJ_OPERATOR_TENANT_ID: z.string().uuid().optional(),
  RJ_DEV_IDENTITY_PROVIDER: bool.default(false),
  RJ_KEY_VAULT_URL: url.optional(),
  /** May the app create Key Vault keys (new realms, rotation)? false: only keys the deployment made are used. */
  RJ_KEY_VAULT_CREATE_KEYS: bool.default(true),
  RJ_MANAGED_IDENTITY_CLIENT_ID: z.string().optional(),
  RJ_GRAPH_BASE_URL: url.default("https://graph.microsoft.com"),
  /** Client id of the multi-tenant app registration; with it, Graph realms are served by Microsoft Graph. */
  RJ_GRAPH_APP_CLIENT_ID: z.string().uuid().optional(),
  RJ_GRAPH_TIMEOUT_MS: positiveInt.default(10_000),
  RJ_MEMBERSHIP_CACHE_SECONDS: positiveInt.default(900),
  /** How long an instance reuses a realm row: the bound on seeing another instance's disable, delete or policy/package change (0: off). */
  RJ_REALM_CACHE_SECONDS: z.coerce.number().int().min(0).max(30).default(30),
  RJ_DATA_DIR: z.string().min(1).default(".data"),
  RJ_PUBLIC_BASE_URL: url.optional(),
  /** The Functions host's own request-body cap (its setting, 100 MB by default); the local host enforces it too. */
  FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: positiveInt.default(REQUEST_BODY_LIMIT_DEFAULT),
  /** At most FUNCTIONS_REQUEST_BODY_SIZE_LIMIT (parseSettings refuses more; unset, it follows that limit). */
  RJ_UPLOAD_LIMIT_BYTES: positiveInt.default(REQUEST_BODY_LIMIT_DEFAULT),
  // Upload sessions never pass bytes through a function: Intune's own ceiling (30 GiB) is the default.
  RJ_SESSION_UPLOAD_LIMIT_BYTES: positiveInt.default(30 * 1024 * 1024 * 1024),
  RJ_JSON_BODY_LIMIT_BYTES: positiveInt.default(1024 * 1024),
  RJ_TIME_SCALE: z.coerce.number().positive().max(3600).default(1),
  RJ_STEP_TIMEOUT_SECONDS: positiveInt.default(3600),
  RJ_STEP_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  RJ_ESCROW_FIRST_RETRY_SECONDS: positiveInt.default(30),
  RJ_ESCROW_ATTEMPTS: positiveInt.default(6),
  RJ_KEY_OVERLAP_DAYS: positiveInt.default(14),
  RJ_STALE_DEVICE_DAYS: positiveInt.default(30),
  RJ_RETENTION_DAYS: positiveInt.default(30),
  RJ_RECONCILE_SCHEDULE: z.string().min(1).default("0 */15 * * * *"),
  /** Items one reconciliation pass may examine; the rest waits for the next pass (continuation kept in Table Storage). */
  RJ_RECONCILE_BUDGET: positiveInt.default(5000),
  RJ_DEVICE_RATE_PER_MINUTE: positiveInt.default(120),
  RJ_ANONYMOUS_RATE_PER_MINUTE: positiveInt.default(600),
  APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().min(1).optional(),
});

export type Settings = z.infer<typeof settingsSchema>;

/** Names of the settings the schema knows, for the infra consistency test. */
export const settingNames = (): string[] => Object.keys(settingsSchema.shape);

/** Raised when settings are missing or malformed; the message names every offending setting, never a value. */
export class SettingsError extends Error {
  override readonly name = "SettingsError";

  constructor(
    message: string,
    /** Names of the offending settings. */
    readonly settings: string[] = [],
  ) {
    super(message);
  }
}

/**
 * Validates an environment-like map once. Throws SettingsError naming every missing or malformed key.
 * Storage needs either a connection string or an identity-based account name.
 */
export function parseSettings(env: Record<string, string | undefined>): Settings {
  const input: Record<string, string> = {};
  for (const key of settingNames()) {
    const value = env[key];
    if (value !== undefined && value !== "") input[key] = value;
  }
  const result = settingsSchema.safeParse(input);
  if (!result.success) {
    const names = [...new Set(result.error.issues.map((i) => i.path.join(".") || "(root)"))];
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new SettingsError(`Invalid settings: ${problems.join("; ")}`, names);
  }
  const settings = result.data;
  const hostLimit = settings.FUNCTIONS_REQUEST_BODY_SIZE_LIMIT;
  for (const key of BODY_LIMITS) {
    if (settings[key] <= hostLimit) continue;
    if (input[key] !== undefined) {
      throw new SettingsError(
        `Invalid settings: ${key}: exceeds FUNCTIONS_REQUEST_BODY_SIZE_LIMIT, the largest request body the Functions host accepts`,
        [key],
      );
    }
    settings[key] = hostLimit;
  }
  if (settings.AzureWebJobsStorage === undefined && settings.AzureWebJobsStorage__accountName === undefined) {
    throw new SettingsError(
      "Invalid settings: AzureWebJobsStorage: set a connection string, or AzureWebJobsStorage__accountName for identity-based access",
      ["AzureWebJobsStorage"],
    );
  }
  return settings;
}

let cached: Settings | undefined;

/** The process's settings, read from process.env on first call and memoised. The only reader of process.env in lib/. */
export function loadSettings(): Settings {
  cached ??= parseSettings(process.env);
  return cached;
}

/** Lets a host (the local one, or a test) install settings it composed itself. */
export function useSettings(settings: Settings): void {
  cached = settings;
}
