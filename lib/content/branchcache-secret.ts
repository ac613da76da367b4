import { createHash, randomBytes } from "node:crypto";
import { validationError } from "../core/errors.js";
import { truncatedSha512 } from "./pccrc-hashes.js";

/** A realm's BranchCache server secret in the two forms the content information versions use. */
export interface BranchCacheSecret {
  /** V1 Ks: SHA-256 of the passphrase bytes (32 bytes). */
  readonly v1: Buffer;
  /** V2 Ks32: first 32 bytes of SHA-512 of the passphrase bytes. */
  readonly v2: Buffer;
}

/** Derives the secret from raw passphrase bytes (what Windows hashes); throws validation when empty. */
export function deriveBranchCacheSecretFromBytes(passphraseBytes: Uint8Array): BranchCacheSecret {
  if (passphraseBytes.length === 0) throw validationError("BranchCache passphrase must not be empty", "invalid-passphrase");
  return {
    v1: createHash("sha256").update(passphraseBytes).digest(),
    v2: truncatedSha512(passphraseBytes),
  };
}

/**
 * Derives the secret as `netsh branchcache set key "<passphrase>"` does: the passphrase as UTF-16LE bytes,
 * no terminator. Throws validation when empty.
 */
export function deriveBranchCacheSecret(passphrase: string): BranchCacheSecret {
  return deriveBranchCacheSecretFromBytes(Buffer.from(passphrase, "utf16le"));
}

/**
 * Returns a new random passphrase for a realm (256 bits, 64 lowercase hex characters), safe to type into
 * `netsh branchcache set key` on hosted-cache or content servers that must share the realm's identifiers.
 */
export function generateBranchCachePassphrase(): string {
  return randomBytes(32).toString("hex");
}
