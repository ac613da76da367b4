import type { TokenCredential } from "@azure/identity";
import { CryptographyClient, KeyClient, type KeyClientOptions } from "@azure/keyvault-keys";
import { keyMissingError, keyVaultError, restStatus } from "./key-vault-errors.js";
import { assertKeyVersion, assertRealmId, realmKid } from "./key-id.js";
import { KeyVaultSigner } from "./key-vault-signer.js";
import type { Signer } from "./signer.js";
import type { SigningKeySource } from "./signing-key-source.js";

export interface KeyVaultKeySourceOptions {
  /** e.g. "https://rj-prod-kv.vault.azure.net". */
  vaultUrl: string;
  /** The app's managed-identity (or default) credential; needs Key Vault Crypto Officer or keys create/get/sign. */
  credential: TokenCredential;
  /** Passed to every KeyClient/CryptographyClient (tests pass tlsOptions and disableChallengeResourceVerification). */
  clientOptions?: KeyClientOptions;
  /** RSA key size in bits; 3072 unless given. */
  keySize?: number;
  /** May the app create keys (RJ_KEY_VAULT_CREATE_KEYS)? Without it, only keys that already exist are used. True unless given. */
  createKeys?: boolean;
}

/** The Key Vault key name of a realm's signing key: `rj-sign-<realmId>` (each rotation is a new version of it). */
export const signingKeyName = (realmId: string): string => `rj-sign-${realmId}`;

/** Realm signing keys in Azure Key Vault: one key `rj-sign-<realmId>` per realm, one version per rotation. */
export class KeyVaultSigningKeySource implements SigningKeySource {
  private keyClient: KeyClient | undefined;
  private readonly opened = new Map<string, Promise<Signer>>();

  constructor(private readonly options: KeyVaultKeySourceOptions) {}

  /** The latest enabled version of `rj-sign-<realmId>` (the one the Bicep pre-creates), or undefined when the key does not exist. */
  async existingKey(realmId: string): Promise<string | undefined> {
    assertRealmId(realmId);
    try {
      const key = await this.client().getKey(signingKeyName(realmId));
      return key.properties.enabled === false ? undefined : key.properties.version;
    } catch (error) {
      if (restStatus(error) === 404) return undefined;
      throw keyVaultError(error, "get key");
    }
  }

  /**
   * Creates a new RSA version of `rj-sign-<realmId>` with sign/verify only; returns its version. Throws
   * AppError "key-vault-key-missing" naming the key when creation is not allowed (setting or 403).
   */
  async createKey(realmId: string): Promise<string> {
    assertRealmId(realmId);
    const name = signingKeyName(realmId);
    if (this.options.createKeys === false) throw keyMissingError(name, "not-allowed");
    try {
      const key = await this.client().createRsaKey(name, {
        keySize: this.options.keySize ?? 3072,
        keyOps: ["sign", "verify"],
      });
      const version = key.properties.version;
      if (!version) throw new Error("Key Vault returned a key without a version");
      return version;
    } catch (error) {
      if (restStatus(error) === 403) throw keyMissingError(name, "forbidden", error);
      throw keyVaultError(error, "create key");
    }
  }

  /** Fetches the key version once and keeps its CryptographyClient; throws AppError "not-found" when the version does not exist. */
  openSigner(realmId: string, version: string): Promise<Signer> {
    assertRealmId(realmId);
    assertKeyVersion(version);
    const kid = realmKid(realmId, version);
    let signer = this.opened.get(kid);
    if (!signer) {
      signer = this.load(realmId, version, kid);
      this.opened.set(kid, signer);
      signer.catch(() => this.opened.delete(kid));
    }
    return signer;
  }

  private async load(realmId: string, version: string, kid: string): Promise<Signer> {
    try {
      const key = await this.client().getKey(signingKeyName(realmId), { version });
      const { n, e } = key.key ?? {};
      if (!n || !e) throw new Error("Key Vault key has no RSA public numbers");
      const crypto = new CryptographyClient(key, this.options.credential, this.clientOptions());
      return new KeyVaultSigner(kid, crypto, { n, e });
    } catch (error) {
      throw keyVaultError(error, "get key");
    }
  }

  private client(): KeyClient {
    this.keyClient ??= new KeyClient(this.options.vaultUrl, this.options.credential, this.clientOptions());
    return this.keyClient;
  }

  // The SDK mutates the options object it is given (user agent), so each client gets its own copy.
  private clientOptions(): KeyClientOptions {
    return { ...this.options.clientOptions };
  }
}
