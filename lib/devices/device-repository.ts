import { createHash } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import type { ContainerClient } from "@azure/storage-blob";
import { keyPart, odataString, realmKey } from "../storage/keys.js";
import { fromPageToken, toPageToken } from "../storage/page-token.js";
import { updateWithRetry, withoutSystemFields } from "../storage/optimistic.js";
import { isConflict, isNotFound, isPreconditionFailed } from "../storage/rest-error.js";
import { AppError } from "../core/errors.js";
import { REPORT_DETAIL_FIELDS, type Device, type ReportSummary, type StateReport, type StateSummary } from "./device.js";
import type { ContainerName } from "../storage/storage-names.js";

interface DeviceEntity {
  enrolledAt: string;
  primaryUser?: string;
  lastSeenAt?: string;
  thumbprint?: string;
  stale: boolean;
  lastSequence: number;
  /** JSON of the latest report's summary (rows written before the split hold the whole report). */
  state?: string;
  /** JSON of the latest report's detail when it fits the row (at most INLINE_DETAIL_CHARS). */
  detail?: string;
  /** SHA-256 (hex) of the detail JSON: a report with the same detail writes no detail. */
  detailHash?: string;
  /** Blob (container device-reports) holding the detail JSON when it is too big for the row. */
  detailBlob?: string;
  /** JSON of the last REPORTS_KEPT report summaries, newest first. */
  reports?: string;
  doGroupId?: string;
  syncRequestedAt?: string;
}

export const REPORTS_KEPT = 20;

/** Blob container of report details too big for a device row (names start with the realm id, so a realm purge finds them). */
export const DEVICE_REPORT_CONTAINER = "device-reports" satisfies ContainerName;

/**
 * Largest detail kept in the device row: one string property holds 32 K UTF-16 characters (64 KiB), so any larger
 * detail (a long package list, an inventory) goes to a blob instead, written only when its hash changes.
 */
export const INLINE_DETAIL_CHARS = 30_000;

/** Fields of the entity that are not the Device's own and that update() must carry over unchanged. */
const REPORT_STORAGE_FIELDS = ["detail", "detailHash", "detailBlob"] as const;

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
    ...(e.state ? { state: JSON.parse(e.state) as StateSummary } : {}),
    ...(e.reports ? { reports: JSON.parse(e.reports) as ReportSummary[] } : {}),
    ...(e.doGroupId ? { doGroupId: e.doGroupId } : {}),
    ...(e.syncRequestedAt ? { syncRequestedAt: e.syncRequestedAt } : {}),
  };
}

/** The entity fields of a device (the report-storage fields are the caller's to carry). */
function toEntity(device: Device): DeviceEntity {
  const { realmId: _r, deviceId: _d, state, reports, ...rest } = device;
  return { ...rest, ...(state ? { state: JSON.stringify(state) } : {}), ...(reports ? { reports: JSON.stringify(reports) } : {}) };
}

function carried(entity: DeviceEntity | undefined): Partial<DeviceEntity> {
  if (entity === undefined) return {};
  const out: Partial<DeviceEntity> = {};
  for (const key of REPORT_STORAGE_FIELDS) if (entity[key] !== undefined) out[key] = entity[key];
  return out;
}

/** Splits a report into its summary and the JSON of its detail (see REPORT_DETAIL_FIELDS). */
export function splitReport(report: StateReport): { summary: StateSummary; detailJson: string } {
  const summary: Record<string, unknown> = { ...report };
  const detail: Record<string, unknown> = {};
  for (const field of REPORT_DETAIL_FIELDS) {
    detail[field] = report[field];
    delete summary[field];
  }
  return { summary: summary as StateSummary, detailJson: JSON.stringify(detail) };
}

/** What a state report did to the device. */
export interface RecordedReport {
  device: Device;
  /** False when the report's sequence was not newer than the stored one (nothing was written). */
  accepted: boolean;
}

const devicePartition = (realmId: string) => realmKey(realmId, "devices");

export interface DevicePage {
  devices: Device[];
  continuationToken?: string;
}

/**
 * The device registry of every realm (Devices table). A device row also holds its latest state report: the summary
 * and the last 20 report summaries always, the detail (package list) inline when small, else in a blob of the
 * device-reports container named `<realm>/<device>/<hash>.json`, written only when the detail changed.
 */
export class DeviceRepository {
  constructor(
    private readonly devices: () => Promise<TableClient>,
    private readonly reportBlobs: ContainerClient,
  ) {}

  /** The device, or undefined when it never enrolled in this realm. */
  async get(realmId: string, deviceId: string): Promise<Device | undefined> {
    const entity = await this.read(realmId, deviceId);
    return entity === undefined ? undefined : toDevice(realmId, deviceId, entity.value);
  }

  /**
   * Changes one device under ETag concurrency. `mutate` gets the current device (undefined when
   * absent) and returns the next one, or undefined for no change. Returns the stored device.
   */
  async update(realmId: string, deviceId: string, mutate: (current: Device | undefined) => Device | undefined): Promise<Device | undefined> {
    const client = await this.devices();
    const stored = await updateWithRetry<DeviceEntity>(client, devicePartition(realmId), keyPart(deviceId), (entity) => {
      const next = mutate(entity === undefined ? undefined : toDevice(realmId, deviceId, entity));
      return next === undefined ? undefined : { ...carried(entity), ...toEntity(next) };
    });
    return stored === undefined ? undefined : toDevice(realmId, deviceId, stored);
  }

  /**
   * Takes a state report in one read and one conditional write of the device row (plus, only when the detail changed
   * and is too big for the row, one blob write and the removal of the blob it replaces). `apply` gets the stored device
   * and returns the next one (without state and reports, which this sets), or undefined to refuse the report (an old
   * sequence). Returns undefined when the device never enrolled; throws AppError conflict when the row kept changing.
   */
  async recordReport(
    realmId: string,
    deviceId: string,
    report: StateReport,
    receivedAt: string,
    apply: (current: Device) => Device | undefined,
  ): Promise<RecordedReport | undefined> {
    const client = await this.devices();
    const { summary, detailJson } = splitReport(report);
    const detailHash = createHash("sha256").update(detailJson, "utf8").digest("hex");
    const line: ReportSummary = { sequence: report.sequence, reportedAt: report.reportedAt, receivedAt };
    let uploaded: string | undefined;
    for (let attempt = 1; attempt <= 8; attempt++) {
      const stored = await this.read(realmId, deviceId);
      if (stored === undefined) return undefined;
      const current = toDevice(realmId, deviceId, stored.value);
      const next = apply(current);
      if (next === undefined) {
        await this.dropUnless(uploaded, stored.value.detailBlob);
        return { device: current, accepted: false };
      }
      const reports = [line, ...(current.reports ?? []).filter((r) => r.sequence !== report.sequence)].sort((a, b) => b.sequence - a.sequence).slice(0, REPORTS_KEPT);
      const device: Device = { ...next, state: summary, reports };
      let detail: Partial<DeviceEntity>;
      if (stored.value.detailHash === detailHash) detail = carried(stored.value);
      else if (detailJson.length <= INLINE_DETAIL_CHARS) detail = { detail: detailJson, detailHash };
      else {
        uploaded ??= await this.uploadDetail(realmId, deviceId, detailHash, detailJson);
        detail = { detailHash, detailBlob: uploaded };
      }
      try {
        await client.updateEntity({ partitionKey: devicePartition(realmId), rowKey: keyPart(deviceId), ...toEntity(device), ...detail }, "Replace", { etag: stored.etag });
      } catch (e) {
        if (isNotFound(e)) return undefined;
        if (!isPreconditionFailed(e) && !isConflict(e)) throw e;
        await new Promise((r) => setTimeout(r, Math.min(200, 5 * 2 ** attempt) * Math.random()));
        continue;
      }
      await this.dropUnless(stored.value.detailBlob, detail.detailBlob);
      if (uploaded !== detail.detailBlob) await this.dropUnless(uploaded, stored.value.detailBlob);
      return { device, accepted: true };
    }
    throw new AppError("conflict", "The device changed too often while taking the report; send it again", { code: "concurrent-update" });
  }

  /** The device's latest accepted report in full (summary and detail), or undefined when it never reported. */
  async latestReport(realmId: string, deviceId: string): Promise<StateReport | undefined> {
    const stored = await this.read(realmId, deviceId);
    const e = stored?.value;
    if (e?.state === undefined) return undefined;
    const summary = JSON.parse(e.state) as StateReport;
    let detailJson = e.detail;
    if (detailJson === undefined && e.detailBlob !== undefined) {
      detailJson = (await this.reportBlobs.getBlobClient(e.detailBlob).downloadToBuffer()).toString("utf8");
    }
    // Rows written before the split hold the whole report in `state`.
    return detailJson === undefined ? summary : { ...summary, ...(JSON.parse(detailJson) as Pick<StateReport, "installed">) };
  }

  /** Deletes the device's record (its reports stay until realm purge); false when it had none. */
  async remove(realmId: string, deviceId: string): Promise<boolean> {
    const client = await this.devices();
    try {
      await client.deleteEntity(devicePartition(realmId), keyPart(deviceId));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
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

  /** The device's last accepted reports (at most 20), newest first; [] when it never reported or is unknown. */
  async listReports(realmId: string, deviceId: string): Promise<ReportSummary[]> {
    return (await this.get(realmId, deviceId))?.reports ?? [];
  }

  private async read(realmId: string, deviceId: string): Promise<{ value: DeviceEntity; etag: string } | undefined> {
    const client = await this.devices();
    try {
      const e = await client.getEntity<DeviceEntity>(devicePartition(realmId), keyPart(deviceId));
      return { value: withoutSystemFields<DeviceEntity>(e), etag: e.etag };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  // Content-addressed per device: a retry or a concurrent report with the same detail writes the same bytes.
  private async uploadDetail(realmId: string, deviceId: string, hash: string, json: string): Promise<string> {
    const name = `${realmId}/${keyPart(deviceId)}/${hash}.json`;
    const blob = this.reportBlobs.getBlockBlobClient(name);
    const upload = () => blob.upload(json, Buffer.byteLength(json, "utf8"), { blobHTTPHeaders: { blobContentType: "application/json" } });
    try {
      await upload();
    } catch (e) {
      // A deployment whose bootstrap has not created the container yet: create it once and try again.
      if (!isNotFound(e)) throw e;
      await this.reportBlobs.createIfNotExists();
      await upload();
    }
    return name;
  }

  /**
   * Deletes a detail blob that no row references any more. Best effort on purpose: the report is stored by then, and a
   * leftover blob costs storage, never correctness (the row names the blob it means; a realm purge removes every one).
   */
  private async dropUnless(blob: string | undefined, keep: string | undefined): Promise<void> {
    if (blob === undefined || blob === keep) return;
    await this.reportBlobs.deleteBlob(blob).then(
      () => undefined,
      () => undefined,
    );
  }
}
