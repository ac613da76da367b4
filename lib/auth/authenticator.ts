import { forbidden, notFound, unauthorized } from "../core/errors.js";
import type { AccessTokenValidator } from "./access-token-validator.js";
import { decodeUnverified } from "./access-token-validator.js";
import { DEVICE_ASSERTION_HEADER, type DeviceAssertionValidator } from "./device-assertion-validator.js";
import type { BoundRequest } from "./request-binding.js";
import { roleSatisfies, type AuthContext, type AuthRequirement, type DevicePrincipal, type UserPrincipal } from "./principals.js";

/** Read access to request headers (the Fetch `Headers` and @azure/functions' request headers both fit). */
export interface HeaderSource {
  get(name: string): string | null;
}

export interface AuthenticateOptions {
  /** Set by the enrol route only: a pinned-trust realm's device without a pin is pinned when a valid user token of its realm comes along. */
  allowPinOnFirstUse?: boolean;
  /** The request, for the device assertion's optional `htm`/`htu` binding. */
  request?: BoundRequest;
  /** Runs after the device is proven and before its jti (or pin) is written; throwing refuses with nothing stored. */
  beforeDeviceWrites?: (device: { realmId: string; deviceId: string }) => void;
}

/** The HTTP layer's single entry to authentication. */
export class Authenticator {
  constructor(
    private readonly users: AccessTokenValidator,
    private readonly devices: DeviceAssertionValidator,
  ) {}

  /**
   * Returns the principals the requirement asks for, with realmId from them. Throws AppError: unauthorized when a
   * required credential is missing or any presented one is invalid; not-found when user and device realms differ;
   * forbidden when the user lacks the admin/operator role (or the realm is disabled).
   */
  async authenticate(headers: HeaderSource, requirement: AuthRequirement, options: AuthenticateOptions = {}): Promise<AuthContext> {
    const bearer = readBearer(headers);
    const assertion = headers.get(DEVICE_ASSERTION_HEADER)?.trim() || undefined;

    if (requirement === "user" || requirement === "reader" || requirement === "helpdesk" || requirement === "admin" || requirement === "operator") {
      if (bearer === undefined) throw unauthorized("User token required");
      const user = await this.users.validate(bearer, { requirement });
      if (requirement !== "user" && requirement !== "operator" && !roleSatisfies(user.realmRole, requirement)) throw forbidden(`Role ${requirement} required`);
      if (requirement === "operator" && user.isOperator !== true) throw forbidden("Operator role required");
      return { realmId: user.realmId, user };
    }

    if (assertion === undefined) throw unauthorized("Device assertion required");
    if (requirement === "device+user" && bearer === undefined) throw unauthorized("User token required");
    // The user is validated first so that a first-use pin is only ever granted alongside a valid user of the same realm.
    const user: UserPrincipal | undefined = bearer === undefined ? undefined : await this.users.validate(bearer, { requirement });
    const allowPin = options.allowPinOnFirstUse === true && user !== undefined && claimedTenant(assertion) === user.realmId;
    const device: DevicePrincipal = await this.devices.validate(assertion, {
      allowPinOnFirstUse: allowPin,
      ...(options.request === undefined ? {} : { request: options.request }),
      ...(options.beforeDeviceWrites === undefined ? {} : { beforeWrites: options.beforeDeviceWrites }),
    });
    if (user !== undefined && user.realmId !== device.realmId) throw notFound();
    return user === undefined ? { realmId: device.realmId, device } : { realmId: device.realmId, user, device };
  }
}

/** The token of an `Authorization: Bearer` header; undefined when absent; throws unauthorized for another scheme. */
function readBearer(headers: HeaderSource): string | undefined {
  const value = headers.get("authorization")?.trim();
  if (value === undefined || value === "") return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(value);
  if (match?.[1] === undefined) throw unauthorized("Unsupported authorization scheme");
  return match[1];
}

// Unverified: only used to decide whether pinning may be allowed; the validator then proves the claim.
function claimedTenant(assertion: string): string | undefined {
  try {
    const tid = decodeUnverified(assertion).claims.tid;
    return typeof tid === "string" ? tid.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}
