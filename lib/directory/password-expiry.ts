import type { Clock } from "../core/clock.js";
import { DEFAULT_PASSWORD_VALIDITY_DAYS, NEVER_EXPIRES_DAYS, type DirectoryUser } from "./directory.js";

/** When a password expires; `never` when the user's policy or the domain disables expiry. */
export type PasswordExpiry =
  | { expiresAt: string; daysLeft: number; never: false }
  | { expiresAt: null; daysLeft: null; never: true };

const DAY_MS = 86_400_000;

/**
 * Returns the user's password expiry, or undefined when it cannot be known (no valid
 * lastPasswordChangeDateTime). daysLeft is floor((expiresAt - now) / 1 day): 0 on the last day,
 * negative exactly when the password has already expired (-1 during the first day after expiry).
 * Never throws.
 */
export function passwordExpiry(
  user: Pick<DirectoryUser, "lastPasswordChangeDateTime" | "passwordPolicies">,
  validityDays: number | undefined,
  clock: Clock,
): PasswordExpiry | undefined {
  const days = validityDays ?? DEFAULT_PASSWORD_VALIDITY_DAYS;
  if (neverExpires(user.passwordPolicies) || days >= NEVER_EXPIRES_DAYS) {
    return { expiresAt: null, daysLeft: null, never: true };
  }
  if (user.lastPasswordChangeDateTime === undefined) return undefined;
  const changedAt = Date.parse(user.lastPasswordChangeDateTime);
  if (Number.isNaN(changedAt)) return undefined;
  const expiresAt = changedAt + days * DAY_MS;
  return {
    expiresAt: new Date(expiresAt).toISOString(),
    daysLeft: Math.floor((expiresAt - clock.now()) / DAY_MS),
    never: false,
  };
}

function neverExpires(policies: string | undefined): boolean {
  if (policies === undefined) return false;
  return policies
    .split(",")
    .map((p) => p.trim().toLowerCase())
    .includes("disablepasswordexpiration");
}
