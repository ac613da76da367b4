import type { TokenCredential } from "@azure/identity";
import { CryptographyClient, KeyClient, type KeyClientOptions, type KeyVaultKey } from "@azure/keyvault-keys";
import { notFound, validationError } from "../core/errors.js";
import { keyMissingError, keyVaultError, restStatus } from "./key-vault-errors.js";
import { assertRealmId, realmKid, versionFromKid } from "./key-id.js";
import { MAX_WRAPPED_BYTES, type KeyWrapper, type WrappedKey } from "./key-wrapper.js";

export interface KeyVaultKeyWrapperOptions {
  vaultUrl: string;
  /** The app's managed-identity credential; needs keys get/create/wrapKey/unwrapKey. */
  credential: TokenCredential;
  clientOptions?: KeyClientOptions;
  /** RSA size of newly created wrapping keys; 3072 unless given. */
  keySize?: number;
  /** May the app create keys (RJ_KEY_VAULT_CREATE_KEYS)? Without it, only keys that already exist are used. True unless given. */
  createKeys?: boolean;
}

/** The Key Vault key name of a realm's wrapping key. */
export const wrappingKeyName = (realmId: string): string => `rj-wrap-${realmId}`;

/** RSA-OAEP-256 wrapping with a per-realm Key Vault key `rj-wrap-<realmId>`; the private key never leaves the vault. */
export class KeyVaultKeyWrapper implements KeyWrapper {
  private keyClient: KeyClient | undefined;
  private readonly current = new Map<string, Promise<KeyVaultKey>>();
  private readonly crypto = new Map<string, CryptographyClient>();

  constructor(private readonly options: KeyVaultKeyWrapperOptions) {}

  async wrapKey(realmId: string, plaintext: Uint8Array): Promise<WrappedKey> {
    assertRealmId(realmId);
    if (plaintext.length > MAX_WRAPPED_BYTES) throw validationError("Secret too long to wrap", "secret-too-long");
    const key = await this.currentKey(realmId);
    const version = key.properties.version ?? "";
    try {
      const result = await this.cryptoFor(realmId, version, key.id ?? "").wrapKey("RSA-OAEP-256", plaintext);
      return { kid: realmKid(realmId, version), alg: "RSA-OAEP-256", value: Buffer.from(result.result).toString("base64url") };
    } catch (error) {
      throw keyVaultError(error, "wrap key");
    }
  }

  async unwrapKey(realmId: string, wrapped: WrappedKey): Promise<Uint8Array> {
    assertRealmId(realmId);
    const version = versionFromKid(realmId, wrapped.kid);
    if (version === undefined || wrapped.alg !== "RSA-OAEP-256") throw notFound("Wrapping key not found");
    const keyId = `${this.options.vaultUrl.replace(/\/+$/, "")}/keys/${wrappingKeyName(realmId)}/${version}`;
    try {
      const result = await this.cryptoFor(realmId, version, keyId).unwrapKey("RSA-OAEP-256", Buffer.from(wrapped.value, "base64url"));
      return result.result;
    } catch (error) {
      if (restStatus(error) === 400) throw validationError("Wrapped value does not decrypt", "unwrap-failed");
      throw keyVaultError(error, "unwrap key");
    }
  }

  private currentKey(realmId: string): Promise<KeyVaultKey> {
    let key = this.current.get(realmId);
    if (!key) {
      key = this.getOrCreate(realmId);
      this.current.set(realmId, key);
      key.catch(() => this.current.delete(realmId));
    }
    return key;
  }

  private async getOrCreate(realmId: string): Promise<KeyVaultKey> {
    const name = wrappingKeyName(realmId);
    try {
      return await this.client().getKey(name);
    } catch (error) {
      if (restStatus(error) !== 404) throw keyVaultError(error, "get wrapping key");
    }
    if (this.options.createKeys === false) throw keyMissingError(name, "not-allowed");
    try {
      return await this.client().createRsaKey(name, { keySize: this.options.keySize ?? 3072, keyOps: ["wrapKey", "unwrapKey"] });
    } catch (error) {
      if (restStatus(error) === 403) throw keyMissingError(name, "forbidden", error);
      throw keyVaultError(error, "create wrapping key");
    }
  }

  // One client per key version: each keeps its pipeline (and its challenge-authenticated token) for reuse.
  private cryptoFor(realmId: string, version: string, keyId: string): CryptographyClient {
    const kid = realmKid(realmId, version);
    let client = this.crypto.get(kid);
    if (!client) {
      client = new CryptographyClient(keyId, this.options.credential, { ...this.options.clientOptions });
      this.crypto.set(kid, client);
    }
    return client;
  }

  private client(): KeyClient {
    this.keyClient ??= new KeyClient(this.options.vaultUrl, this.options.credential, { ...this.options.clientOptions });
    return this.keyClient;
  }
}
