import { validationError } from "../core/errors.js";

const REALM_ID = /^[A-Za-z0-9-]{1,64}$/;
const VERSION = /^[A-Za-z0-9]{1,64}$/;

/** Throws AppError("validation") unless the realm id is safe as a path segment and a Key Vault key-name part. */
export function assertRealmId(realmId: string): void {
  if (!REALM_ID.test(realmId)) throw validationError("Invalid realm id", "invalid-realm-id");
}

/** Throws AppError("validation") unless the key version is plain alphanumerics. */
export function assertKeyVersion(version: string): void {
  if (!VERSION.test(version)) throw validationError("Invalid key version", "invalid-key-version");
}

/** The `kid` of a realm key version: `<realmId>.<version>` (short, and names no vault). */
export function realmKid(realmId: string, version: string): string {
  return `${realmId}.${version}`;
}

/** Returns the key version of a kid that belongs to this realm, or undefined when the kid names another realm or is malformed. */
export function versionFromKid(realmId: string, kid: string): string | undefined {
  const prefix = `${realmId}.`;
  if (!kid.startsWith(prefix)) return undefined;
  const version = kid.slice(prefix.length);
  return VERSION.test(version) ? version : undefined;
}
