import { createHash } from "node:crypto";
import type { CryptographyClient } from "@azure/keyvault-keys";
import { keyVaultError } from "./key-vault-errors.js";
import type { Signer, SigningJwk } from "./signer.js";

/** The RSA public numbers of a Key Vault key (as `KeyVaultKey.key.n` / `.e`). */
export interface RsaPublicNumbers {
  n: Uint8Array;
  e: Uint8Array;
}

/** A PS256 signer whose private key never leaves Key Vault: hashes locally, asks the vault to sign the digest. */
export class KeyVaultSigner implements Signer {
  readonly algorithm = "PS256" as const;

  constructor(
    readonly kid: string,
    private readonly client: CryptographyClient,
    private readonly publicNumbers: RsaPublicNumbers,
  ) {}

  /** Throws AppError "unavailable" when the vault still throttles after the SDK's retries, "upstream" on other failures. */
  async sign(signingInput: Uint8Array): Promise<Uint8Array> {
    const digest = createHash("sha256").update(signingInput).digest();
    try {
      const result = await this.client.sign("PS256", digest);
      return result.result;
    } catch (error) {
      throw keyVaultError(error, "sign");
    }
  }

  publicJwk(): Promise<SigningJwk> {
    return Promise.resolve({
      kty: "RSA",
      n: Buffer.from(withoutLeadingZeros(this.publicNumbers.n)).toString("base64url"),
      e: Buffer.from(this.publicNumbers.e).toString("base64url"),
      kid: this.kid,
      alg: "PS256",
      use: "sig",
    });
  }
}

// RFC 7518 6.3.1.1: the modulus is encoded without leading zero octets; some vault responses carry one.
function withoutLeadingZeros(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start);
}
