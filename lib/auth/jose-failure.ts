import { errors } from "jose";
import { AppError, unauthorized } from "../core/errors.js";

/** Marks a failure to obtain keys from the identity provider (network, timeout, bad JWKS), as opposed to a bad token. */
export class KeySourceUnavailable extends Error {
  constructor(cause: unknown) {
    super("key source unavailable", { cause });
    this.name = "KeySourceUnavailable";
  }
}

/** Maps a verification failure to a short, token-free AppError: "unavailable" for key-source trouble, "unauthorized" otherwise. */
export function toAuthFailure(e: unknown, what: string): AppError {
  if (e instanceof AppError) return e;
  if (e instanceof KeySourceUnavailable) {
    return new AppError("unavailable", "Identity provider keys unavailable", { retryAfterSeconds: 30, cause: e.cause });
  }
  if (e instanceof errors.JWTExpired) return unauthorized(`${what} expired`);
  if (e instanceof errors.JWTClaimValidationFailed) return unauthorized(`${what} claim "${e.claim}" is invalid`);
  if (e instanceof errors.JWKSNoMatchingKey) return unauthorized(`${what} signing key is unknown`);
  if (e instanceof errors.JWSSignatureVerificationFailed) return unauthorized(`${what} signature is invalid`);
  return unauthorized(`${what} is invalid`);
}
