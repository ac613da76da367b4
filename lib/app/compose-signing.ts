import type { TokenCredential } from "@azure/core-auth";
import { resolve } from "node:path";
import type { Clock } from "../core/clock.js";
import type { Settings } from "../config/settings.js";
import {
  DocumentSigner,
  FileKeyRingStore,
  KeyVaultKeyWrapper,
  KeyVaultSigningKeySource,
  LocalKeyWrapper,
  LocalSigningKeySource,
  RealmKeyRing,
  TableKeyRingStore,
  TableSignatureCache,
  type KeyWrapper,
} from "../signing/index.js";
import type { TableStore } from "../storage/table-store.js";

export interface SigningParts {
  keyRing: RealmKeyRing;
  documents: DocumentSigner;
  keyWrapper: KeyWrapper;
}

const DAY_MS = 86_400_000;

/**
 * Key Vault keys when RJ_KEY_VAULT_URL is set (Azure), else PEM keys in the data folder (local host).
 * Signatures are cached in Table Storage either way, so restarts do not re-sign.
 */
export async function composeSigning(
  settings: Settings,
  deps: { tables: TableStore; clock: Clock; credential: () => TokenCredential },
): Promise<SigningParts> {
  const overlapMs = settings.RJ_KEY_OVERLAP_DAYS * DAY_MS;
  const cache = new TableSignatureCache(await deps.tables.table("Signatures"));
  if (settings.RJ_KEY_VAULT_URL !== undefined) {
    const kv = { vaultUrl: settings.RJ_KEY_VAULT_URL, credential: deps.credential(), createKeys: settings.RJ_KEY_VAULT_CREATE_KEYS };
    const keyRing = new RealmKeyRing({
      keys: new KeyVaultSigningKeySource(kv),
      store: new TableKeyRingStore(await deps.tables.table("KeyRings")),
      clock: deps.clock,
      overlapMs,
    });
    return { keyRing, documents: new DocumentSigner({ keys: keyRing, cache, clock: deps.clock }), keyWrapper: new KeyVaultKeyWrapper(kv) };
  }
  const dir = resolve(settings.RJ_DATA_DIR);
  const keyRing = new RealmKeyRing({ keys: new LocalSigningKeySource({ dir }), store: new FileKeyRingStore(dir), clock: deps.clock, overlapMs });
  return { keyRing, documents: new DocumentSigner({ keys: keyRing, cache, clock: deps.clock }), keyWrapper: new LocalKeyWrapper(dir) };
}
