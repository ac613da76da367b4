import { RestError, type TableClient, type TableEntity, type TableEntityResult, type TransactionAction } from "@azure/data-tables";
import { AppError } from "../core/errors.js";
import type { HistoryEventShape } from "./df-internals.js";
import { isTerminal, type DurableStore, type EpisodeCommit, type InboxMessage, type InstanceMeta, type InstanceSnapshot, type RuntimeStatus } from "./store.js";

// Layout: one partition per instance.
//   RowKey "meta"                          the InstanceMeta (ETag = the instance's concurrency token)
//   RowKey "h-<executionId>-<start index>" the events one episode appended, as a JSON array
//   RowKey "m-<message key>"               an inbox message
// An episode's history rows, consumed messages and the meta row change in one entity-group
// transaction, so a history is never half written and two workers never both apply a step.
// JSON is split over properties d0..dN: Table allows 64 KiB per string property (32K UTF-16
// characters) and 1 MiB per entity.
const PIECE = 30_000;
const MAX_PIECES = 15;
const META = "meta";
const UNFINISHED: RuntimeStatus[] = ["Pending", "Running", "ContinuedAsNew"];

type Row = TableEntity<Record<string, unknown>>;
type ReadRow = TableEntityResult<Record<string, unknown>>;

const pk = (instanceId: string): string => encodeURIComponent(instanceId);
const historyPrefix = (executionId: string): string => `h-${executionId}-`;
const historyKey = (executionId: string, start: number): string => `${historyPrefix(executionId)}${String(start).padStart(9, "0")}`;
const messageKey = (key: string): string => `m-${key}`;

function pieces(json: string, what: string): Record<string, string> {
  const count = Math.ceil(json.length / PIECE);
  if (count > MAX_PIECES) throw new AppError("too-large", `${what} is larger than one Table entity can hold`);
  const out: Record<string, string> = {};
  for (let i = 0; i < count; i++) out[`d${i}`] = json.slice(i * PIECE, (i + 1) * PIECE);
  return out;
}

function joined(row: Record<string, unknown>): string {
  let json = "";
  for (let i = 0; typeof row[`d${i}`] === "string"; i++) json += row[`d${i}`] as string;
  return json;
}

// Groups events into rows that each stay under the entity limit.
function historyRows(partitionKey: string, executionId: string, start: number, events: HistoryEventShape[]): Row[] {
  const rows: Row[] = [];
  let group: HistoryEventShape[] = [];
  let groupStart = start;
  let size = 0;
  const flush = (): void => {
    if (group.length === 0) return;
    rows.push({ partitionKey, rowKey: historyKey(executionId, groupStart), count: group.length, ...pieces(JSON.stringify(group), "a history event") });
    groupStart += group.length;
    group = [];
    size = 0;
  };
  for (const event of events) {
    const length = JSON.stringify(event).length;
    if (size + length > PIECE * MAX_PIECES - 2) flush();
    group.push(event);
    size += length + 1;
  }
  flush();
  return rows;
}

const status = (e: unknown): number | undefined => (e instanceof RestError ? e.statusCode : undefined);

/** DurableStore on Azure Table Storage (or Azurite); the TableClient is created by the caller. */
export class TableDurableStore implements DurableStore {
  private ready: Promise<void> | undefined;

  constructor(private readonly table: TableClient) {}

  private async init(): Promise<void> {
    this.ready ??= this.table.createTable().then(() => undefined);
    await this.ready;
  }

  private metaRow(meta: InstanceMeta, historyLength: number): Row {
    return {
      partitionKey: pk(meta.instanceId),
      rowKey: META,
      instanceId: meta.instanceId,
      runtimeStatus: meta.runtimeStatus,
      executionId: meta.executionId,
      historyLength,
      ...pieces(JSON.stringify(meta), "the instance record (input, output, custom status)"),
    };
  }

  private async readMeta(instanceId: string): Promise<{ row: ReadRow; etag: string } | undefined> {
    await this.init();
    try {
      const row = await this.table.getEntity<Record<string, unknown>>(pk(instanceId), META);
      return { row, etag: row.etag };
    } catch (e) {
      if (status(e) === 404) return undefined;
      throw e;
    }
  }

  async create(meta: InstanceMeta): Promise<"created" | "exists"> {
    await this.init();
    for (;;) {
      try {
        await this.table.createEntity(this.metaRow(meta, 0));
        return "created";
      } catch (e) {
        if (status(e) !== 409) throw e;
      }
      const existing = await this.readMeta(meta.instanceId);
      if (existing === undefined) continue;
      if (!isTerminal(existing.row.runtimeStatus as RuntimeStatus)) return "exists";
      await this.deleteRows(meta.instanceId, (rowKey) => rowKey !== META);
      try {
        await this.table.updateEntity(this.metaRow(meta, 0), "Replace", { etag: existing.etag });
        return "created";
      } catch (e) {
        if (status(e) !== 412 && status(e) !== 404) throw e;
      }
    }
  }

  async getMeta(instanceId: string): Promise<{ meta: InstanceMeta; etag: string } | undefined> {
    const found = await this.readMeta(instanceId);
    if (found === undefined) return undefined;
    return { meta: JSON.parse(joined(found.row)) as InstanceMeta, etag: found.etag };
  }

  async load(instanceId: string): Promise<InstanceSnapshot | undefined> {
    await this.init();
    const rows: ReadRow[] = [];
    const partitionKey = pk(instanceId);
    for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: `PartitionKey eq '${partitionKey.replace(/'/g, "''")}'` } })) {
      rows.push(row);
    }
    const metaRow = rows.find((r) => r.rowKey === META);
    if (metaRow === undefined) return undefined;
    const meta = JSON.parse(joined(metaRow)) as InstanceMeta;
    const historyLength = Number(metaRow.historyLength);
    const prefix = historyPrefix(meta.executionId);
    const history: HistoryEventShape[] = [];
    const chunks = rows
      .map((r) => ({ row: r, key: r.rowKey ?? "" }))
      .filter((r) => r.key.startsWith(prefix))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
    for (const { row: chunk, key } of chunks) {
      // Only rows committed together with this meta version count (a listing is not a snapshot).
      if (Number(key.slice(prefix.length)) !== history.length || history.length >= historyLength) break;
      history.push(...(JSON.parse(joined(chunk)) as HistoryEventShape[]));
    }
    const messages = rows.filter((r) => r.rowKey?.startsWith("m-") === true).map((r) => JSON.parse(joined(r)) as InboxMessage);
    return { meta, etag: metaRow.etag, history, messages };
  }

  async addMessage(instanceId: string, message: InboxMessage): Promise<"added" | "duplicate" | "absent"> {
    if ((await this.readMeta(instanceId)) === undefined) return "absent";
    try {
      await this.table.createEntity({ partitionKey: pk(instanceId), rowKey: messageKey(message.key), ...pieces(JSON.stringify(message), "an orchestration message") });
      return "added";
    } catch (e) {
      if (status(e) === 409) return "duplicate";
      throw e;
    }
  }

  async commit(instanceId: string, etag: string, episode: EpisodeCommit): Promise<"committed" | "conflict"> {
    await this.init();
    const partitionKey = pk(instanceId);
    const rows = historyRows(partitionKey, episode.meta.executionId, episode.newExecution ? 0 : episode.baseLength, episode.append);
    const historyLength = (episode.newExecution ? 0 : episode.baseLength) + episode.append.length;
    const actions: TransactionAction[] = [
      ["update", this.metaRow(episode.meta, historyLength), "Replace", { etag }],
      ...rows.map((row): TransactionAction => ["create", row]),
      ...episode.consumed.map((key): TransactionAction => ["delete", { partitionKey, rowKey: messageKey(key) }]),
    ];
    if (actions.length > 100) throw new AppError("too-large", "an episode touches more than 100 Table entities");
    try {
      await this.table.submitTransaction(actions);
    } catch (e) {
      const code = status(e);
      if (code === 412 || code === 409 || code === 404) return "conflict";
      throw e;
    }
    if (episode.newExecution) {
      const keep = historyPrefix(episode.meta.executionId);
      await this.deleteRows(instanceId, (rowKey) => rowKey.startsWith("h-") && !rowKey.startsWith(keep));
    }
    return "committed";
  }

  async listUnfinished(): Promise<string[]> {
    await this.init();
    const ids: string[] = [];
    const statuses = UNFINISHED.map((s) => `runtimeStatus eq '${s}'`).join(" or ");
    for await (const row of this.table.listEntities<{ instanceId: string }>({ queryOptions: { filter: `RowKey eq '${META}' and (${statuses})`, select: ["instanceId"] } })) {
      ids.push(row.instanceId);
    }
    return ids;
  }

  async purge(instanceId: string): Promise<boolean> {
    const existed = (await this.readMeta(instanceId)) !== undefined;
    await this.deleteRows(instanceId, (rowKey) => rowKey !== META);
    try {
      await this.table.deleteEntity(pk(instanceId), META);
    } catch (e) {
      if (status(e) !== 404) throw e;
    }
    return existed;
  }

  private async deleteRows(instanceId: string, which: (rowKey: string) => boolean): Promise<void> {
    await this.init();
    const partitionKey = pk(instanceId);
    const keys: string[] = [];
    for await (const row of this.table.listEntities({ queryOptions: { filter: `PartitionKey eq '${partitionKey.replace(/'/g, "''")}'`, select: ["RowKey"] } })) {
      if (row.rowKey !== undefined && which(row.rowKey)) keys.push(row.rowKey);
    }
    for (const rowKey of keys) {
      try {
        await this.table.deleteEntity(partitionKey, rowKey);
      } catch (e) {
        if (status(e) !== 404) throw e;
      }
    }
  }
}
