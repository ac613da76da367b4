import { createHash } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { restStatus } from "./key-vault-errors.js";
import { assertRealmId } from "./key-id.js";
import type { SignatureCache, SignatureCacheKey } from "./signature-cache.js";

// A Table string property holds at most 64 KiB (32K UTF-16 units) and an entity at most 1 MiB.
const CHUNK_CHARS = 30_000;
const MAX_CHUNKS = 16;

type SignatureEntity = {
  partitionKey: string;
  rowKey: string;
  kid: string;
  typ: string;
  hash: string;
  parts: number;
} & Record<`jws${number}`, string>;

/**
 * Signed documents in Table Storage: PartitionKey = realmId, RowKey = SHA-256 of kid|typ|hash,
 * the JWS split over `jws0..jwsN`. A JWS longer than 480,000 characters is not persisted
 * (the in-memory tier still holds it). The table must exist.
 */
export class TableSignatureCache implements SignatureCache {
  constructor(private readonly table: TableClient) {}

  async get(key: SignatureCacheKey): Promise<string | undefined> {
    assertRealmId(key.realmId);
    let entity: Record<string, unknown>;
    try {
      entity = await this.table.getEntity<Record<string, unknown>>(key.realmId, rowKey(key));
    } catch (error) {
      if (restStatus(error) === 404) return undefined;
      throw error;
    }
    if (entity.kid !== key.kid || entity.typ !== key.typ || entity.hash !== key.hash) return undefined;
    const parts = typeof entity.parts === "number" ? entity.parts : 0;
    const chunks: string[] = [];
    for (let i = 0; i < parts; i++) {
      const chunk = entity[`jws${i}`];
      if (typeof chunk !== "string") return undefined;
      chunks.push(chunk);
    }
    return chunks.length > 0 ? chunks.join("") : undefined;
  }

  async put(key: SignatureCacheKey, jws: string): Promise<void> {
    assertRealmId(key.realmId);
    const parts = Math.ceil(jws.length / CHUNK_CHARS);
    if (parts > MAX_CHUNKS) return;
    const entity: Record<string, unknown> = {
      partitionKey: key.realmId,
      rowKey: rowKey(key),
      kid: key.kid,
      typ: key.typ,
      hash: key.hash,
      parts,
    };
    for (let i = 0; i < parts; i++) entity[`jws${i}`] = jws.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS);
    await this.table.upsertEntity(entity as SignatureEntity, "Replace");
  }
}

const rowKey = (key: SignatureCacheKey): string =>
  createHash("sha256").update(`${key.kid}|${key.typ}|${key.hash}`).digest("hex");
