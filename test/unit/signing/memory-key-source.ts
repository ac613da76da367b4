import { generateKeyPair, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { notFound } from "../../../lib/core/errors.js";
import { realmKid } from "../../../lib/signing/key-id.js";
import { LocalRsaSigner } from "../../../lib/signing/local-signer.js";
import type { Signer, SigningJwk } from "../../../lib/signing/signer.js";
import type { SigningKeySource } from "../../../lib/signing/signing-key-source.js";

const generateRsa = promisify(generateKeyPair);

/** Wraps a signer and counts how often it really signs. */
export class CountingSigner implements Signer {
  readonly algorithm = "PS256" as const;
  signCalls = 0;
  constructor(private readonly inner: Signer) {}
  get kid(): string {
    return this.inner.kid;
  }
  sign(signingInput: Uint8Array): Promise<Uint8Array> {
    this.signCalls++;
    return this.inner.sign(signingInput);
  }
  publicJwk(): Promise<SigningJwk> {
    return this.inner.publicJwk();
  }
}

/** Real RSA keys held in memory, with counting signers; for unit tests of the key ring and the document signer. */
export class MemoryKeySource implements SigningKeySource {
  readonly created: string[] = [];
  private readonly keys = new Map<string, CountingSigner>();

  existingKey(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  async createKey(realmId: string): Promise<string> {
    const version = randomBytes(16).toString("hex");
    const { privateKey } = await generateRsa("rsa", { modulusLength: 2048 });
    this.keys.set(realmKid(realmId, version), new CountingSigner(new LocalRsaSigner(realmKid(realmId, version), privateKey)));
    this.created.push(realmKid(realmId, version));
    return version;
  }

  openSigner(realmId: string, version: string): Promise<CountingSigner> {
    const signer = this.keys.get(realmKid(realmId, version));
    return signer ? Promise.resolve(signer) : Promise.reject(notFound("Signing key not found"));
  }

  /** Total real signatures made with any key. */
  get signCalls(): number {
    return [...this.keys.values()].reduce((sum, s) => sum + s.signCalls, 0);
  }
}
