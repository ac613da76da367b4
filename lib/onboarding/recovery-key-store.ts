import type { TableClient } from "@azure/data-tables";
import type { WrappedKey } from "../signing/key-wrapper.js";
import { keyPart, odataString, realmKey } from "../storage/keys.js";

/** A BitLocker recovery key escrowed to the back-end (devices not joined to Entra ID), wrapped; never in clear. */
export interface EscrowedKey {
  keyId: string;
  protectorId?: string;
  runId: string;
  escrowedAt: string;
  wrapped: WrappedKey;
}

interface EscrowEntity {
  keyId: string;
  protectorId?: string;
  runId: string;
  escrowedAt: string;
  kid: string;
  alg: WrappedKey["alg"];
  value: string;
}

const partition = (realmId: string, deviceId: string) => realmKey(realmId, "recovery-keys", deviceId);

/** Wrapped recovery keys per device (table RecoveryKeys). */
export class RecoveryKeyStore {
  constructor(private readonly table: () => Promise<TableClient>) {}

  /** Stores (or replaces) the wrapped key under its key id. */
  async put(realmId: string, deviceId: string, key: EscrowedKey): Promise<void> {
    const client = await this.table();
    const entity: EscrowEntity = {
      keyId: key.keyId,
      runId: key.runId,
      escrowedAt: key.escrowedAt,
      kid: key.wrapped.kid,
      alg: key.wrapped.alg,
      value: key.wrapped.value,
      ...(key.protectorId === undefined ? {} : { protectorId: key.protectorId }),
    };
    await client.upsertEntity({ partitionKey: partition(realmId, deviceId), rowKey: keyPart(key.keyId), ...entity }, "Replace");
  }

  /** The device's escrowed keys (wrapped), oldest first; [] when none. */
  async list(realmId: string, deviceId: string): Promise<EscrowedKey[]> {
    const client = await this.table();
    const out: EscrowedKey[] = [];
    for await (const e of client.listEntities<EscrowEntity>({ queryOptions: { filter: `PartitionKey eq ${odataString(partition(realmId, deviceId))}` } })) {
      out.push({
        keyId: e.keyId,
        runId: e.runId,
        escrowedAt: e.escrowedAt,
        wrapped: { kid: e.kid, alg: e.alg, value: e.value },
        ...(e.protectorId ? { protectorId: e.protectorId } : {}),
      });
    }
    return out.sort((a, b) => a.escrowedAt.localeCompare(b.escrowedAt));
  }
}
