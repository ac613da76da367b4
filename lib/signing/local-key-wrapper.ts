import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { notFound, validationError } from "../core/errors.js";
import { assertRealmId, realmKid, versionFromKid } from "./key-id.js";
import { MAX_WRAPPED_BYTES, type KeyWrapper, type WrappedKey } from "./key-wrapper.js";

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM wrapping with a per-realm 32-byte key in `<dir>/wrapping/<realmId>/<version>.key`
 * (the local host's stand-in for Key Vault). The realm id is the GCM additional data, so a value
 * moved to another realm never decrypts.
 */
export class LocalKeyWrapper implements KeyWrapper {
  private readonly current = new Map<string, Promise<string>>();

  constructor(private readonly dir: string) {}

  async wrapKey(realmId: string, plaintext: Uint8Array): Promise<WrappedKey> {
    assertRealmId(realmId);
    if (plaintext.length > MAX_WRAPPED_BYTES) throw validationError("Secret too long to wrap", "secret-too-long");
    const version = await this.currentVersion(realmId);
    const key = await this.readKey(realmId, version);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(Buffer.from(realmId, "utf8"));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const value = Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
    return { kid: realmKid(realmId, version), alg: "A256GCM", value };
  }

  async unwrapKey(realmId: string, wrapped: WrappedKey): Promise<Uint8Array> {
    assertRealmId(realmId);
    const version = versionFromKid(realmId, wrapped.kid);
    if (version === undefined || wrapped.alg !== "A256GCM") throw notFound("Wrapping key not found");
    const key = await this.readKey(realmId, version);
    const bytes = Buffer.from(wrapped.value, "base64url");
    if (bytes.length < IV_BYTES + TAG_BYTES) throw validationError("Wrapped value is corrupt", "unwrap-failed");
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, IV_BYTES)).setAAD(Buffer.from(realmId, "utf8"));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return new Uint8Array(Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]));
    } catch {
      throw validationError("Wrapped value does not decrypt", "unwrap-failed");
    }
  }

  private currentVersion(realmId: string): Promise<string> {
    let version = this.current.get(realmId);
    if (!version) {
      version = this.findOrCreate(realmId);
      this.current.set(realmId, version);
      version.catch(() => this.current.delete(realmId));
    }
    return version;
  }

  private async findOrCreate(realmId: string): Promise<string> {
    const dir = join(this.dir, "wrapping", realmId);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const existing = (await readdir(dir)).filter((f) => f.endsWith(".key")).sort();
    const first = existing[0];
    if (first) return first.slice(0, -".key".length);
    const version = randomBytes(16).toString("hex");
    await writeFile(join(dir, `${version}.key`), randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
    return version;
  }

  private async readKey(realmId: string, version: string): Promise<Buffer> {
    try {
      return Buffer.from(await readFile(join(this.dir, "wrapping", realmId, `${version}.key`), "utf8"), "base64");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw notFound("Wrapping key not found");
      throw error;
    }
  }
}
