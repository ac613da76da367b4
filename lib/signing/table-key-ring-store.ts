import type { TableClient } from "@azure/data-tables";
import { restStatus } from "./key-vault-errors.js";
import { assertRealmId } from "./key-id.js";
import { keyRingChanged, parseKeyRing, serializeKeyRing } from "./key-ring-record.js";
import type { KeyRingStore, RealmKeyRecord, StoredKeyRing } from "./key-ring-store.js";

const ROW_KEY = "signing-key-ring";

interface KeyRingEntity {
  partitionKey: string;
  rowKey: string;
  keys: string;
}

/** Key rings in Table Storage: PartitionKey = realmId, RowKey = "signing-key-ring", `keys` = JSON; ETag-guarded. */
export class TableKeyRingStore implements KeyRingStore {
  constructor(private readonly table: TableClient) {}

  async get(realmId: string): Promise<StoredKeyRing | undefined> {
    assertRealmId(realmId);
    try {
      const entity = await this.table.getEntity<KeyRingEntity>(realmId, ROW_KEY);
      if (typeof entity.keys !== "string" || !entity.etag) throw new Error("Corrupt key ring entity");
      return { keys: parseKeyRing(entity.keys), etag: entity.etag };
    } catch (error) {
      if (restStatus(error) === 404) return undefined;
      throw error;
    }
  }

  async put(realmId: string, keys: RealmKeyRecord[], etag: string | undefined): Promise<string> {
    assertRealmId(realmId);
    const entity: KeyRingEntity = { partitionKey: realmId, rowKey: ROW_KEY, keys: serializeKeyRing(keys) };
    try {
      const response =
        etag === undefined
          ? await this.table.createEntity(entity)
          : await this.table.updateEntity(entity, "Replace", { etag });
      if (!response.etag) throw new Error("Table Storage returned no ETag");
      return response.etag;
    } catch (error) {
      const status = restStatus(error);
      if (status === 409 || status === 412) throw keyRingChanged();
      throw error;
    }
  }
}
