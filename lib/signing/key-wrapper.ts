/** Key material wrapped under a realm's wrapping key; store all three fields. */
export interface WrappedKey {
  /** `<realmId>.<wrappingKeyVersion>`. */
  kid: string;
  alg: "RSA-OAEP-256" | "A256GCM";
  /** base64url ciphertext. */
  value: string;
}

/** The largest secret a KeyWrapper accepts (RSA-OAEP-256 with a 2048-bit key holds 190 bytes). */
export const MAX_WRAPPED_BYTES = 190;

/** Wraps small secrets (BitLocker recovery passwords, BranchCache passphrases) under a per-realm key. */
export interface KeyWrapper {
  /** Wraps the secret under the realm's current wrapping key, creating that key on first use; throws AppError "validation" when over MAX_WRAPPED_BYTES. */
  wrapKey(realmId: string, plaintext: Uint8Array): Promise<WrappedKey>;
  /** Returns the secret; throws AppError "not-found" when the kid names another realm or a key that no longer exists, "validation" when the value does not decrypt. */
  unwrapKey(realmId: string, wrapped: WrappedKey): Promise<Uint8Array>;
}
