import { createPrivateKey, generateKeyPair, randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { notFound } from "../core/errors.js";
import { assertKeyVersion, assertRealmId, realmKid } from "./key-id.js";
import { LocalRsaSigner } from "./local-signer.js";
import type { Signer } from "./signer.js";
import type { SigningKeySource } from "./signing-key-source.js";

const generateRsa = promisify(generateKeyPair);

export interface LocalSigningKeySourceOptions {
  /** The local host's data folder; keys go to `<dir>/signing/<realmId>/<version>.pem`. */
  dir: string;
  /** RSA modulus length in bits; 3072 unless given. */
  modulusLength?: number;
}

/** Realm signing keys as PKCS#8 PEM files on disk, for the local host; they survive restarts. */
export class LocalSigningKeySource implements SigningKeySource {
  private readonly opened = new Map<string, Promise<Signer>>();

  constructor(private readonly options: LocalSigningKeySourceOptions) {}

  /** Generates a new RSA key and writes it (mode 0600, never overwriting); returns its random 32-hex version. */
  async createKey(realmId: string): Promise<string> {
    assertRealmId(realmId);
    const version = randomBytes(16).toString("hex");
    const { privateKey } = await generateRsa("rsa", { modulusLength: this.options.modulusLength ?? 3072 });
    const pem = privateKey.export({ format: "pem", type: "pkcs8" });
    await mkdir(this.realmDir(realmId), { recursive: true, mode: 0o700 });
    await writeFile(this.keyPath(realmId, version), pem, { mode: 0o600, flag: "wx" });
    return version;
  }

  /** Local keys are only ever made by this source and recorded in the key ring next to them: nothing to adopt. */
  existingKey(realmId: string): Promise<string | undefined> {
    assertRealmId(realmId);
    return Promise.resolve(undefined);
  }

  /** Throws AppError "not-found" when no PEM file exists for this version. */
  openSigner(realmId: string, version: string): Promise<Signer> {
    assertRealmId(realmId);
    assertKeyVersion(version);
    const cacheKey = realmKid(realmId, version);
    let signer = this.opened.get(cacheKey);
    if (!signer) {
      signer = this.load(realmId, version);
      this.opened.set(cacheKey, signer);
      signer.catch(() => this.opened.delete(cacheKey));
    }
    return signer;
  }

  private async load(realmId: string, version: string): Promise<Signer> {
    let pem: string;
    try {
      pem = await readFile(this.keyPath(realmId, version), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw notFound("Signing key not found");
      throw error;
    }
    return new LocalRsaSigner(realmKid(realmId, version), createPrivateKey(pem));
  }

  private realmDir(realmId: string): string {
    return join(this.options.dir, "signing", realmId);
  }

  private keyPath(realmId: string, version: string): string {
    return join(this.realmDir(realmId), `${version}.pem`);
  }
}
