import { odata, type TableClient, type TableEntity, type TransactionAction } from "@azure/data-tables";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Clock } from "../core/clock.js";
import { keyPart } from "../storage/keys.js";
import { AUDIT_LIMITS, clip, type AuditEntry, type AuditScope } from "./audit-entry.js";

const MAX_TIME = 999_999_999_999_999;
/** Rows one query may examine: a filtered page never costs more than this many rows read. */
export const AUDIT_SCAN_LIMIT = 1000;
const BATCH = 100;

const entitySchema = z.object({
  rowKey: z.string(),
  at: z.string(),
  actorId: z.string(),
  actorUpn: z.string().optional(),
  actorRole: z.string().optional(),
  action: z.string(),
  route: z.string(),
  target: z.string(),
  summary: z.string(),
  outcome: z.enum(["success", "denied"]),
  status: z.number().int(),
  requestId: z.string(),
});

export interface AuditQuery {
  /** Object id or UPN (case-insensitive). */
  actor?: string;
  /** Exact target (case-insensitive). */
  target?: string;
  from: Date;
  to: Date;
  pageSize: number;
  /** The id of the last entry (or row) seen by the previous page. */
  after?: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Where the next page starts; absent on the last page. */
  after?: string;
}

/** The pattern of an entry id (and of a page position). */
export const AUDIT_ID_PATTERN = /^\d{15}\|[0-9a-f]{8}$/;

const partitionOf = (scope: AuditScope): string => (scope.kind === "operator" ? "operator|audit" : `${keyPart(scope.realmId)}|audit`);
// Inverted milliseconds: the newest entry has the smallest RowKey, so pages and the retention range are key ranges.
const inverted = (ms: number): string => String(MAX_TIME - Math.max(0, Math.min(MAX_TIME, Math.floor(ms)))).padStart(15, "0");

/**
 * The audit log (Audit table): one partition per realm plus one for operators, RowKey
 * "{inverted time}|{random}". Reads, filters and retention are RowKey ranges; nothing scans the table.
 */
export class AuditLog {
  constructor(
    private readonly table: () => Promise<TableClient>,
    private readonly clock: Clock,
  ) {}

  /** Appends one entry (fields clipped to their bounds); returns its id. */
  async append(scope: AuditScope, entry: Omit<AuditEntry, "id" | "at">): Promise<string> {
    const now = this.clock.now();
    const id = `${inverted(now)}|${randomBytes(4).toString("hex")}`;
    const entity: TableEntity<Record<string, unknown>> = {
      partitionKey: partitionOf(scope),
      rowKey: id,
      at: new Date(now).toISOString(),
      actorId: entry.actor.id,
      ...(entry.actor.upn === null ? {} : { actorUpn: clip(entry.actor.upn, AUDIT_LIMITS.upn) }),
      ...(entry.actor.role === null ? {} : { actorRole: entry.actor.role }),
      action: clip(entry.action, AUDIT_LIMITS.action),
      route: clip(entry.route, AUDIT_LIMITS.route),
      target: clip(entry.target, AUDIT_LIMITS.target),
      summary: clip(entry.summary, AUDIT_LIMITS.summary),
      outcome: entry.outcome,
      status: entry.status,
      requestId: clip(entry.requestId, AUDIT_LIMITS.requestId),
    };
    await (await this.table()).createEntity(entity);
    return id;
  }

  /** Newest first, within [from, to], filtered; examines at most AUDIT_SCAN_LIMIT rows. */
  async query(scope: AuditScope, q: AuditQuery): Promise<AuditPage> {
    const client = await this.table();
    const lower = q.after ?? `${inverted(q.to.getTime())}|`;
    const upper = `${inverted(q.from.getTime())}}`;
    const filter =
      q.after === undefined
        ? odata`PartitionKey eq ${partitionOf(scope)} and RowKey ge ${lower} and RowKey lt ${upper}`
        : odata`PartitionKey eq ${partitionOf(scope)} and RowKey gt ${lower} and RowKey lt ${upper}`;
    const actor = q.actor?.toLowerCase();
    const target = q.target?.toLowerCase();
    const entries: AuditEntry[] = [];
    let scanned = 0;
    let last: string | undefined;
    for await (const raw of client.listEntities({ queryOptions: { filter } })) {
      const e = entitySchema.parse(raw);
      scanned++;
      last = e.rowKey;
      const matchesActor = actor === undefined || e.actorId.toLowerCase() === actor || e.actorUpn?.toLowerCase() === actor;
      const matchesTarget = target === undefined || e.target.toLowerCase() === target;
      if (matchesActor && matchesTarget) entries.push(toEntry(e));
      if (entries.length >= q.pageSize || scanned >= AUDIT_SCAN_LIMIT) {
        return { entries, after: last };
      }
    }
    return { entries };
  }

  /** Deletes up to `limit` entries older than `cutoff` (oldest rows sort last, so this is one key range). */
  async purgeOlderThan(scope: AuditScope, cutoff: Date, limit: number): Promise<number> {
    if (limit <= 0) return 0;
    const client = await this.table();
    const partitionKey = partitionOf(scope);
    const first = inverted(cutoff.getTime() - 1);
    const rows = client.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey} and RowKey ge ${first}`, select: ["RowKey"] } });
    let batch: TransactionAction[] = [];
    let deleted = 0;
    for await (const row of rows) {
      batch.push(["delete", { partitionKey, rowKey: row.rowKey ?? "" }]);
      if (batch.length === BATCH) {
        await client.submitTransaction(batch);
        deleted += batch.length;
        batch = [];
      }
      if (deleted + batch.length >= limit) break;
    }
    if (batch.length > 0) {
      await client.submitTransaction(batch);
      deleted += batch.length;
    }
    return deleted;
  }
}

function toEntry(e: z.infer<typeof entitySchema>): AuditEntry {
  const role = e.actorRole === "reader" || e.actorRole === "helpdesk" || e.actorRole === "admin" || e.actorRole === "operator" ? e.actorRole : null;
  return {
    id: e.rowKey,
    at: e.at,
    actor: { id: e.actorId, upn: e.actorUpn ?? null, role },
    action: e.action,
    route: e.route,
    target: e.target,
    summary: e.summary,
    outcome: e.outcome,
    status: e.status,
    requestId: e.requestId,
  };
}
