import type { TableClient } from "@azure/data-tables";
import { keyPart, odataString, realmKey } from "../storage/keys.js";
import { fromPageToken, toPageToken } from "../storage/page-token.js";
import { updateWithRetry, withoutSystemFields } from "../storage/optimistic.js";
import { isNotFound } from "../storage/rest-error.js";
import type { Device, StateReport } from "./device.js";

interface DeviceEntity {
  enrolledAt: string;
  primaryUser?: string;
  lastSeenAt?: string;
  thumbprint?: string;
  stale: boolean;
  lastSequence: number;
  state?: string;
  doGroupId?: string;
}

interface ReportEntity {
  sequence: number;
  receivedAt: string;
  report: string;
}

export const REPORTS_KEPT = 20;

function toDevice(realmId: string, deviceId: string, e: DeviceEntity): Device {
  return {
    realmId,
    deviceId,
    enrolledAt: e.enrolledAt,
    stale: e.stale,
    lastSequence: e.lastSequence,
    ...(e.primaryUser ? { primaryUser: e.primaryUser } : {}),
    ...(e.lastSeenAt ? { lastSeenAt: e.lastSeenAt } : {}),
    ...(e.thumbprint ? { thumbprint: e.thumbprint } : {}),
    ...(e.state ? { state: JSON.parse(e.state) as StateReport } : {}),
    ...(e.doGroupId ? { doGroupId: e.doGroupId } : {}),
  };
}

const devicePartition = (realmId: string) => realmKey(realmId, "devices");
const reportPartition = (realmId: string, deviceId: string) => realmKey(realmId, "reports", deviceId);
// Descending row keys, so the newest report sorts first.
const reportRow = (sequence: number) => String(Number.MAX_SAFE_INTEGER - sequence).padStart(16, "0");

export interface DevicePage {
  devices: Device[];
  continuationToken?: string;
}

/** The device registry of every realm (Devices table) and the last reports of each device (DeviceReports). */
export class DeviceRepository {
  constructor(
    private readonly devices: () => Promise<TableClient>,
    private readonly reports: () => Promise<TableClient>,
  ) {}

  /** The device, or undefined when it never enrolled in this realm. */
  async get(realmId: string, deviceId: string): Promise<Device | undefined> {
    const client = await this.devices();
    try {
      const e = await client.getEntity<DeviceEntity>(devicePartition(realmId), keyPart(deviceId));
      return toDevice(realmId, deviceId, withoutSystemFields<DeviceEntity>(e));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * Changes one device under ETag concurrency. `mutate` gets the current device (undefined when
   * absent) and returns the next one, or undefined for no change. Returns the stored device.
   */
  async update(realmId: string, deviceId: string, mutate: (current: Device | undefined) => Device | undefined): Promise<Device | undefined> {
    const client = await this.devices();
    const stored = await updateWithRetry<DeviceEntity>(client, devicePartition(realmId), keyPart(deviceId), (entity) => {
      const next = mutate(entity === undefined ? undefined : toDevice(realmId, deviceId, entity));
      if (next === undefined) return undefined;
      const { realmId: _r, deviceId: _d, state, ...rest } = next;
      return { ...rest, ...(state ? { state: JSON.stringify(state) } : {}) };
    });
    return stored === undefined ? undefined : toDevice(realmId, deviceId, stored);
  }

  /** One page of a realm's devices, in device-id order; throws AppError validation for a continuation token it did not issue. */
  async list(realmId: string, pageSize = 100, continuationToken?: string): Promise<DevicePage> {
    const client = await this.devices();
    const pk = devicePartition(realmId);
    const tableToken = continuationToken ? fromPageToken(continuationToken) : undefined;
    const pages = client
      .listEntities<DeviceEntity>({ queryOptions: { filter: `PartitionKey eq ${odataString(pk)}` } })
      .byPage({ maxPageSize: pageSize, ...(tableToken === undefined ? {} : { continuationToken: tableToken }) });
    const page = await pages.next();
    if (page.done === true) return { devices: [] };
    const devices = page.value.map((e) => toDevice(realmId, decodeURIComponent(e.rowKey ?? ""), withoutSystemFields<DeviceEntity>(e)));
    const next = toPageToken(page.value.continuationToken);
    return { devices, ...(next === undefined ? {} : { continuationToken: next }) };
  }

  /** Keeps a report (idempotent per sequence) and trims the device's history to the last 20. */
  async addReport(realmId: string, deviceId: string, report: StateReport, receivedAt: string): Promise<void> {
    const client = await this.reports();
    const pk = reportPartition(realmId, deviceId);
    await client.upsertEntity<ReportEntity>({ partitionKey: pk, rowKey: reportRow(report.sequence), sequence: report.sequence, receivedAt, report: JSON.stringify(report) }, "Replace");
    const rows: string[] = [];
    for await (const e of client.listEntities({ queryOptions: { filter: `PartitionKey eq ${odataString(pk)}`, select: ["RowKey"] } })) {
      if (e.rowKey !== undefined) rows.push(e.rowKey);
    }
    rows.sort();
    for (const rowKey of rows.slice(REPORTS_KEPT)) {
      await client.deleteEntity(pk, rowKey).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
    }
  }

  /** The device's kept reports, newest first. */
  async listReports(realmId: string, deviceId: string): Promise<{ receivedAt: string; report: StateReport }[]> {
    const client = await this.reports();
    const out: { rowKey: string; receivedAt: string; report: StateReport }[] = [];
    const pk = reportPartition(realmId, deviceId);
    for await (const e of client.listEntities<ReportEntity>({ queryOptions: { filter: `PartitionKey eq ${odataString(pk)}` } })) {
      out.push({ rowKey: e.rowKey ?? "", receivedAt: e.receivedAt, report: JSON.parse(e.report) as StateReport });
    }
    return out.sort((a, b) => a.rowKey.localeCompare(b.rowKey)).map(({ receivedAt, report }) => ({ receivedAt, report }));
  }
}
