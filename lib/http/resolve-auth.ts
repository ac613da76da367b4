import type { AppServices } from "../app/services.js";
import type { AuthContext } from "../auth/principals.js";
import type { AuthenticateOptions } from "../auth/authenticator.js";
import type { AuthRequirement } from "./auth-requirement.js";

export type { AuthContext };

/** The auth context of a route that asks for nobody (realmId is empty and must not be used). */
export const ANONYMOUS: AuthContext = { realmId: "" };

/** Authenticates the caller for a requirement. Throws 401/403/404 AppErrors; "none" never fails. */
export async function resolveAuth(
  services: AppServices,
  headers: { get(name: string): string | null },
  requirement: AuthRequirement,
  options: AuthenticateOptions = {},
): Promise<AuthContext> {
  if (requirement === "none") return ANONYMOUS;
  return await services.authenticator.authenticate(headers, requirement, options);
}
