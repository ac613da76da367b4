import { constants, createPublicKey, sign, type KeyObject } from "node:crypto";
import type { Signer, SigningJwk } from "./signer.js";

/** A PS256 signer over an RSA private key held in this process (the local host's PEM keys). */
export class LocalRsaSigner implements Signer {
  readonly algorithm = "PS256" as const;

  constructor(
    readonly kid: string,
    private readonly privateKey: KeyObject,
  ) {}

  /** Signs SHA-256(signingInput) with RSASSA-PSS, MGF1-SHA-256, 32-byte salt (RFC 7518 PS256). */
  sign(signingInput: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      sign(
        "sha256",
        signingInput,
        { key: this.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
        (error, signature) => (error ? reject(error) : resolve(new Uint8Array(signature))),
      );
    });
  }

  publicJwk(): Promise<SigningJwk> {
    const jwk = createPublicKey(this.privateKey).export({ format: "jwk" });
    if (typeof jwk.n !== "string" || typeof jwk.e !== "string") throw new Error("Local signing key is not RSA");
    return Promise.resolve({ kty: "RSA", n: jwk.n, e: jwk.e, kid: this.kid, alg: "PS256", use: "sig" });
  }
}
