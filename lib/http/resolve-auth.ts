import type { AppServices } from "../app/services.js";
import { AppError } from "../core/errors.js";
import type { AuthRequirement } from "./auth-requirement.js";

/** Who is calling, as far as the route required it. */
export interface AuthContext {
  realmId?: string;
}

/** Authenticates the caller for a requirement. Throws 401/403/404 AppErrors. */
export async function resolveAuth(
  _services: AppServices,
  _headers: { get(name: string): string | null },
  requirement: AuthRequirement,
): Promise<AuthContext> {
  if (requirement === "none") return {};
  throw new AppError("unauthorized", "Authentication is not available yet");
}
