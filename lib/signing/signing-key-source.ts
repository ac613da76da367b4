import type { Signer } from "./signer.js";

/** Where a realm's signing key material lives (local PEM files or Key Vault); it knows nothing of rotation. */
export interface SigningKeySource {
  /** Creates a new key version for the realm and returns its version id; throws AppError "upstream"/"unavailable" when the store fails. */
  createKey(realmId: string): Promise<string>;
  /**
   * The newest usable version of the realm's key when one already exists outside the key ring (a Key Vault
   * key the deployment pre-created), else undefined; the key ring adopts it instead of creating one.
   */
  existingKey(realmId: string): Promise<string | undefined>;
  /** Returns a signer for an existing key version; throws AppError "not-found" when that version does not exist. */
  openSigner(realmId: string, version: string): Promise<Signer>;
}
