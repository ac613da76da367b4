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
