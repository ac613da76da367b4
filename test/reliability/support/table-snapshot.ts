import { TableClient, TableServiceClient } from "@azure/data-tables";

/** Tables that legitimately grow on refused requests: spent assertion ids, and cached signatures. */
const GROWING = ["ReplayCache", "Signatures"];

/**
 * Audit rows written by design on requests that change nothing else: refused authorisations ("denied") and reads of
 * recovery keys (a secret read is recorded even when it finds no key). Any other row is a change.
 */
const isDeniedAuditRow = (logical: string, entity: Record<string, unknown>): boolean =>
  logical === "Audit" && (entity["outcome"] === "denied" || entity["action"] === "adminDeviceRecoveryKeys");

// Int64 columns come back as bigint and binary ones as Uint8Array, which JSON.stringify cannot take as they are.
function stable(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return `${value}n`;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  return value;
}

/** Which storage account and table prefix (the host's RJ_TABLE_PREFIX) to snapshot. */
export interface SnapshotOptions {
  connectionString: string;
  prefix: string;
}

/**
 * Every entity (with its ETag) of every table under the host's prefix, except the growing caches,
 * as "table/partition/row" -> JSON, in a stable order.
 */
export async function snapshotTables(options: SnapshotOptions): Promise<Record<string, string>> {
  const service = TableServiceClient.fromConnectionString(options.connectionString, { allowInsecureConnection: true });
  const names: string[] = [];
  for await (const table of service.listTables()) {
    const name = table.name ?? "";
    const logical = name.slice(options.prefix.length);
    if (name.startsWith(options.prefix) && /^[A-Z]/.test(logical) && !GROWING.includes(logical)) names.push(name);
  }
  names.sort();
  const rows: [string, string][] = [];
  for (const name of names) {
    const client = TableClient.fromConnectionString(options.connectionString, name, { allowInsecureConnection: true });
    const logical = name.slice(options.prefix.length);
    for await (const entity of client.listEntities<Record<string, unknown>>()) {
      if (isDeniedAuditRow(logical, entity)) continue;
      rows.push([`${name}/${entity.partitionKey}/${entity.rowKey}`, JSON.stringify(entity, stable)]);
    }
  }
  rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return Object.fromEntries(rows);
}

/** Waits until two snapshots in a row agree (background work has settled) and returns that one; bounded. */
export async function settledSnapshot(options: SnapshotOptions, { gapMs = 250, attempts = 40 } = {}): Promise<Record<string, string>> {
  let previous = await snapshotTables(options);
  for (let i = 0; i < attempts; i++) {
    await new Promise((r) => setTimeout(r, gapMs));
    const next = await snapshotTables(options);
    if (JSON.stringify(next) === JSON.stringify(previous)) return next;
    previous = next;
  }
  throw new Error(`storage did not settle within ${attempts} snapshots`);
}
