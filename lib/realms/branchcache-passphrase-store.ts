import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import type { Clock } from "../core/clock.js";
import { validationError } from "../core/errors.js";
import { generateBranchCachePassphrase } from "../content/branchcache-secret.js";
import type { KeyWrapper, WrappedKey } from "../signing/index.js";
import { realmKey } from "../storage/keys.js";
import { isConflict, isNotFound } from "../storage/rest-error.js";

/** Shortest and longest passphrase an admin may set (characters). */
export const PASSPHRASE_MIN_CHARS = 16;
export const PASSPHRASE_MAX_CHARS = 256;

/** Whether a realm has a passphrase and when it last changed; never the passphrase itself. */
export interface PassphraseStatus {
  set: boolean;
  changedAt?: string;
}

/** Told after a realm's passphrase changed through set(), so content information can be re-keyed. */
export type PassphraseChangedListener = (event: { realmId: string; changedAt: string }) => void | Promise<void>;

interface PassphraseEntity {
  keyKid: string;
  keyAlg: WrappedKey["alg"];
  keyValue: string;
  iv: string;
  ciphertext: string;
  tag: string;
  changedAt: string;
}

const ROW = "passphrase";
const partition = (realmId: string): string => realmKey(realmId, "branchcache");
// The realm id is bound into the ciphertext: a row copied to another realm's partition never decrypts.
const aad = (realmId: string): Buffer => Buffer.from(`${realmId}|branchcache`, "utf8");

/**
 * A realm's BranchCache passphrase, envelope-encrypted: a random data key wrapped by the KeyWrapper (Key Vault
 * in Azure) encrypts the passphrase with AES-256-GCM, so passphrases longer than a wrap fits stay possible and
 * nothing is in clear at rest. Unwrapped data keys are remembered per wrapped value, so Key Vault is asked once.
 */
export class BranchCachePassphraseStore {
  private readonly listeners = new Set<PassphraseChangedListener>();
  private readonly dataKeys = new Map<string, Buffer>();

  constructor(
    private readonly deps: { table: () => Promise<TableClient>; wrapper: KeyWrapper; clock: Clock },
  ) {}

  /** The realm's passphrase in clear (for content information); undefined when none is set. Throws on storage or unwrap failures. */
  async get(realmId: string): Promise<string | undefined> {
    const id = realmId.toLowerCase();
    const entity = await this.read(id);
    if (entity === undefined) return undefined;
    const key = await this.dataKey(id, entity);
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(entity.iv, "base64url")).setAAD(aad(id));
    decipher.setAuthTag(Buffer.from(entity.tag, "base64url"));
    const clear = Buffer.concat([decipher.update(Buffer.from(entity.ciphertext, "base64url")), decipher.final()]);
    return clear.toString("utf8");
  }

  /** Whether a passphrase is set and when it changed; `{set: false}` when none. */
  async status(realmId: string): Promise<PassphraseStatus> {
    const entity = await this.read(realmId.toLowerCase());
    return entity === undefined ? { set: false } : { set: true, changedAt: entity.changedAt };
  }

  /**
   * Stores a new passphrase and tells the listeners; setting the current passphrase again changes nothing.
   * Returns the status afterwards. Throws AppError validation for a passphrase outside 16..256 characters or
   * with control characters; a failing listener is not the caller's failure (it is reported through `onListenerError`).
   */
  async set(realmId: string, passphrase: string, onListenerError?: (error: unknown) => void): Promise<PassphraseStatus> {
    assertPassphrase(passphrase);
    const id = realmId.toLowerCase();
    const current = await this.read(id);
    if (current !== undefined && (await this.get(id)) === passphrase) return { set: true, changedAt: current.changedAt };
    const changedAt = new Date(this.deps.clock.now()).toISOString();
    const client = await this.deps.table();
    await client.upsertEntity({ partitionKey: partition(id), rowKey: ROW, ...(await this.seal(id, passphrase, changedAt)) }, "Replace");
    for (const listener of this.listeners) {
      try {
        await listener({ realmId: id, changedAt });
      } catch (error) {
        onListenerError?.(error);
      }
    }
    return { set: true, changedAt };
  }

  /** Gives the realm a random passphrase when it has none (realm creation); idempotent, tells no listener. Returns the status. */
  async ensure(realmId: string): Promise<PassphraseStatus> {
    const id = realmId.toLowerCase();
    const existing = await this.read(id);
    if (existing !== undefined) return { set: true, changedAt: existing.changedAt };
    const changedAt = new Date(this.deps.clock.now()).toISOString();
    const client = await this.deps.table();
    try {
      await client.createEntity({ partitionKey: partition(id), rowKey: ROW, ...(await this.seal(id, generateBranchCachePassphrase(), changedAt)) });
      return { set: true, changedAt };
    } catch (e) {
      if (!isConflict(e)) throw e;
      return await this.status(id);
    }
  }

  /** Registers a listener for passphrase changes (on this instance); returns the function that removes it. */
  onPassphraseChanged(listener: PassphraseChangedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async seal(realmId: string, passphrase: string, changedAt: string): Promise<PassphraseEntity> {
    const key = randomBytes(32);
    const wrapped = await this.deps.wrapper.wrapKey(realmId, key);
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(aad(realmId));
    const ciphertext = Buffer.concat([cipher.update(passphrase, "utf8"), cipher.final()]);
    this.dataKeys.set(wrapped.value, key);
    return {
      keyKid: wrapped.kid,
      keyAlg: wrapped.alg,
      keyValue: wrapped.value,
      iv: iv.toString("base64url"),
      ciphertext: ciphertext.toString("base64url"),
      tag: cipher.getAuthTag().toString("base64url"),
      changedAt,
    };
  }

  private async dataKey(realmId: string, entity: PassphraseEntity): Promise<Buffer> {
    const known = this.dataKeys.get(entity.keyValue);
    if (known !== undefined) return known;
    const key = Buffer.from(await this.deps.wrapper.unwrapKey(realmId, { kid: entity.keyKid, alg: entity.keyAlg, value: entity.keyValue }));
    this.dataKeys.set(entity.keyValue, key);
    return key;
  }

  private async read(realmId: string): Promise<PassphraseEntity | undefined> {
    const client = await this.deps.table();
    try {
      return await client.getEntity<PassphraseEntity>(partition(realmId), ROW);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }
}

/** Throws AppError validation unless the passphrase has 16..256 characters and no control characters. */
export function assertPassphrase(passphrase: string): void {
  const length = [...passphrase].length;
  if (length < PASSPHRASE_MIN_CHARS || length > PASSPHRASE_MAX_CHARS) {
    throw validationError(`The passphrase must have ${PASSPHRASE_MIN_CHARS} to ${PASSPHRASE_MAX_CHARS} characters`, "invalid-passphrase");
  }
  // netsh takes the passphrase on a command line: control characters could not be typed there.
  if (/\p{Cc}/u.test(passphrase)) throw validationError("The passphrase must not contain control characters", "invalid-passphrase");
}
