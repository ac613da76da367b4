import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { assertRealmId } from "./key-id.js";
import { keyRingChanged, parseKeyRing, serializeKeyRing } from "./key-ring-record.js";
import type { KeyRingStore, RealmKeyRecord, StoredKeyRing } from "./key-ring-store.js";

/**
 * Key rings as `<dir>/signing/<realmId>/ring.json`, next to the local PEM keys, so the
 * local host keeps its keys across restarts even when its Azurite is in memory.
 * Safe for one process (the local host); the ETag is the content hash.
 */
export class FileKeyRingStore implements KeyRingStore {
  constructor(private readonly dir: string) {}

  async get(realmId: string): Promise<StoredKeyRing | undefined> {
    const json = await this.read(realmId);
    return json === undefined ? undefined : { keys: parseKeyRing(json), etag: etagOf(json) };
  }

  async put(realmId: string, keys: RealmKeyRecord[], etag: string | undefined): Promise<string> {
    const current = await this.read(realmId);
    if ((current === undefined ? undefined : etagOf(current)) !== etag) throw keyRingChanged();
    const json = serializeKeyRing(keys);
    const path = this.path(realmId);
    await mkdir(join(this.dir, "signing", realmId), { recursive: true, mode: 0o700 });
    const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
    await writeFile(temp, json, { mode: 0o600 });
    await rename(temp, path);
    return etagOf(json);
  }

  private async read(realmId: string): Promise<string | undefined> {
    try {
      return await readFile(this.path(realmId), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  private path(realmId: string): string {
    assertRealmId(realmId);
    return join(this.dir, "signing", realmId, "ring.json");
  }
}

const etagOf = (json: string): string => createHash("sha256").update(json).digest("hex");
