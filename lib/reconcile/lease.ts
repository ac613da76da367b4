import { randomUUID } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import type { Clock } from "../core/clock.js";
import { isConflict, isNotFound, isPreconditionFailed } from "../storage/rest-error.js";

/** A held lease: renew it between units of work; once lost, stop. */
export interface Lease {
  /** Extends the lease; false (and `lost` set) when another holder took it over after it expired. */
  renew(): Promise<boolean>;
  /** True once a renewal failed. */
  readonly lost: boolean;
  /** Gives the lease up (no effect when already lost). */
  release(): Promise<void>;
}

interface LeaseEntity {
  owner: string;
  expiresAt: number;
}

const PARTITION = "lease";

/**
 * A lease as one ETag-guarded Table row with an expiry: whoever creates the row, or replaces an
 * expired one under its ETag, holds it. A holder that crashes blocks others only until expiry.
 */
export class TableLease implements Lease {
  private etag: string;
  private isLost = false;

  private constructor(
    private readonly table: TableClient,
    private readonly name: string,
    private readonly owner: string,
    private readonly durationMs: number,
    private readonly clock: Clock,
    etag: string,
  ) {
    this.etag = etag;
  }

  /** Takes the lease `name`; undefined when another holder has it and it has not expired. */
  static async acquire(table: TableClient, name: string, durationMs: number, clock: Clock): Promise<TableLease | undefined> {
    const owner = randomUUID();
    const entity = { partitionKey: PARTITION, rowKey: name, owner, expiresAt: clock.now() + durationMs };
    try {
      const created = await table.createEntity<LeaseEntity>(entity);
      return new TableLease(table, name, owner, durationMs, clock, created.etag ?? "*");
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
    let current;
    try {
      current = await table.getEntity<LeaseEntity>(PARTITION, name);
    } catch (e) {
      if (isNotFound(e)) return undefined; // released between our create and read: let the next pass take it
      throw e;
    }
    if (current.expiresAt > clock.now()) return undefined;
    try {
      const replaced = await table.updateEntity<LeaseEntity>(entity, "Replace", { etag: current.etag });
      return new TableLease(table, name, owner, durationMs, clock, replaced.etag ?? "*");
    } catch (e) {
      if (isPreconditionFailed(e) || isNotFound(e)) return undefined;
      throw e;
    }
  }

  get lost(): boolean {
    return this.isLost;
  }

  async renew(): Promise<boolean> {
    if (this.isLost) return false;
    try {
      const entity = { partitionKey: PARTITION, rowKey: this.name, owner: this.owner, expiresAt: this.clock.now() + this.durationMs };
      const updated = await this.table.updateEntity<LeaseEntity>(entity, "Replace", { etag: this.etag });
      this.etag = updated.etag ?? this.etag;
      return true;
    } catch (e) {
      if (!isPreconditionFailed(e) && !isNotFound(e)) throw e;
      this.isLost = true;
      return false;
    }
  }

  async release(): Promise<void> {
    if (this.isLost) return;
    this.isLost = true;
    try {
      await this.table.deleteEntity(PARTITION, this.name, { etag: this.etag });
    } catch (e) {
      if (!isPreconditionFailed(e) && !isNotFound(e)) throw e;
    }
  }
}
