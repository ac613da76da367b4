import { AppError } from "../core/errors.js";

/** The HTTP status of an Azure SDK RestError, or undefined when the error carries none (network, parse). */
export function restStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("statusCode" in error)) return undefined;
  const status = error.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** Maps a Key Vault failure (after the SDK's own retries) to the error taxonomy; never leaks the vault's message to clients. */
export function keyVaultError(error: unknown, action: string): AppError {
  const status = restStatus(error);
  if (status === 404) return new AppError("not-found", `Key Vault key not found (${action})`, { cause: error });
  if (status === 429 || status === 503) {
    return new AppError("unavailable", `Key Vault is busy (${action})`, { code: "key-vault-busy", retryAfterSeconds: 5, cause: error });
  }
  return new AppError("upstream", `Key Vault ${action} failed`, { code: "key-vault", cause: error });
}

/**
 * The key does not exist and the app may not create it (RJ_KEY_VAULT_CREATE_KEYS=false, or the vault answered
 * 403): an operator must create it. Names the key so the log and the answer say what to do; retrying soon is pointless.
 */
export function keyMissingError(keyName: string, reason: "not-allowed" | "forbidden", cause?: unknown): AppError {
  const why =
    reason === "not-allowed"
      ? "this deployment does not create keys (RJ_KEY_VAULT_CREATE_KEYS=false)"
      : "Key Vault refused to create it (403: the app's identity lacks the create permission)";
  return new AppError("unavailable", `Key Vault key ${keyName} does not exist and ${why}; create it in the vault (infra: keyRealmIds) or allow key creation`, {
    code: "key-vault-key-missing",
    retryAfterSeconds: 300,
    extensions: { keyName },
    ...(cause === undefined ? {} : { cause }),
  });
}
