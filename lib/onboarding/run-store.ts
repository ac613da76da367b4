import type { TableClient } from "@azure/data-tables";
import { keyPart, odataString, realmKey } from "../storage/keys.js";
import { updateWithRetry, withoutSystemFields } from "../storage/optimistic.js";
import { isConflict, isNotFound } from "../storage/rest-error.js";
import type { ResumePoint } from "./run-ref.js";
import type { Phase, PublishedStep, RunFailure, RunStatus } from "./steps.js";

/** A device's initial run as published for polling: one row per device, the current attempt only. */
export interface RunRecord {
  realmId: string;
  deviceId: string;
  runId: string;
  instanceId: string;
  attempt: number;
  status: RunStatus;
  phase: Phase;
  /** The step the agent should do now; absent before the first publication and once the run ended. */
  step?: PublishedStep;
  /** The history position of the step's publication (its answer is recorded right after it). */
  stepSeq?: number;
  stepPublishedAt?: string;
  /** The device's boot id when the restart step was published (a restart must report another one). */
  bootIdBefore?: string;
  failure?: RunFailure;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
  /** How often reconciliation re-drove this attempt (a safety net for a lost orchestration). */
  redrives?: number;
  /** Set on a single-step retry: the attempt starts at this step. */
  resumeFrom?: ResumePoint;
}

interface RunEntity {
  runId: string;
  instanceId: string;
  attempt: number;
  status: RunStatus;
  phase: Phase;
  step?: string;
  stepSeq?: number;
  stepPublishedAt?: string;
  bootIdBefore?: string;
  failure?: string;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
  redrives?: number;
  resumeFrom?: string;
}

const partition = (realmId: string) => realmKey(realmId, "runs");

function toRecord(realmId: string, deviceId: string, e: RunEntity): RunRecord {
  return {
    realmId,
    deviceId,
    runId: e.runId,
    instanceId: e.instanceId,
    attempt: e.attempt,
    status: e.status,
    phase: e.phase,
    startedAt: e.startedAt,
    updatedAt: e.updatedAt,
    ...(e.step ? { step: JSON.parse(e.step) as PublishedStep } : {}),
    ...(e.stepSeq === undefined ? {} : { stepSeq: e.stepSeq }),
    ...(e.stepPublishedAt ? { stepPublishedAt: e.stepPublishedAt } : {}),
    ...(e.bootIdBefore ? { bootIdBefore: e.bootIdBefore } : {}),
    ...(e.failure ? { failure: JSON.parse(e.failure) as RunFailure } : {}),
    ...(e.finishedAt ? { finishedAt: e.finishedAt } : {}),
    ...(e.redrives === undefined ? {} : { redrives: e.redrives }),
    ...(e.resumeFrom ? { resumeFrom: JSON.parse(e.resumeFrom) as ResumePoint } : {}),
  };
}

function toEntity(r: RunRecord): RunEntity {
  return {
    runId: r.runId,
    instanceId: r.instanceId,
    attempt: r.attempt,
    status: r.status,
    phase: r.phase,
    startedAt: r.startedAt,
    updatedAt: r.updatedAt,
    ...(r.step ? { step: JSON.stringify(r.step) } : {}),
    ...(r.stepSeq === undefined ? {} : { stepSeq: r.stepSeq }),
    ...(r.stepPublishedAt ? { stepPublishedAt: r.stepPublishedAt } : {}),
    ...(r.bootIdBefore ? { bootIdBefore: r.bootIdBefore } : {}),
    ...(r.failure ? { failure: JSON.stringify(r.failure) } : {}),
    ...(r.finishedAt ? { finishedAt: r.finishedAt } : {}),
    ...(r.redrives === undefined ? {} : { redrives: r.redrives }),
    ...(r.resumeFrom ? { resumeFrom: JSON.stringify(r.resumeFrom) } : {}),
  };
}

/** The published state of every device's initial run (table OnboardingRuns, partition per realm). */
export class RunStore {
  constructor(private readonly table: () => Promise<TableClient>) {}

  /** The device's run, or undefined when it never had one. */
  async get(realmId: string, deviceId: string): Promise<RunRecord | undefined> {
    const client = await this.table();
    try {
      return toRecord(realmId, deviceId, withoutSystemFields<RunEntity>(await client.getEntity<RunEntity>(partition(realmId), keyPart(deviceId))));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Creates the device's first run record; "exists" when another writer was first. */
  async create(record: RunRecord): Promise<"created" | "exists"> {
    const client = await this.table();
    try {
      await client.createEntity({ partitionKey: partition(record.realmId), rowKey: keyPart(record.deviceId), ...toEntity(record) });
      return "created";
    } catch (e) {
      if (isConflict(e)) return "exists";
      throw e;
    }
  }

  /**
   * Changes the run under ETag concurrency; `mutate` returns the next record or undefined for no change.
   * Returns the stored record (undefined when absent and not created). Throws AppError conflict after repeated races.
   */
  async update(realmId: string, deviceId: string, mutate: (current: RunRecord | undefined) => RunRecord | undefined): Promise<RunRecord | undefined> {
    const client = await this.table();
    const stored = await updateWithRetry<RunEntity>(client, partition(realmId), keyPart(deviceId), (entity) => {
      const next = mutate(entity === undefined ? undefined : toRecord(realmId, deviceId, entity));
      return next === undefined ? undefined : toEntity(next);
    });
    return stored === undefined ? undefined : toRecord(realmId, deviceId, stored);
  }

  /** Deletes the device's run record (a retired device); false when it had none. */
  async remove(realmId: string, deviceId: string): Promise<boolean> {
    const client = await this.table();
    try {
      await client.deleteEntity(partition(realmId), keyPart(deviceId));
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  /** Every run of the realm (current attempts); [] when none. */
  async list(realmId: string): Promise<RunRecord[]> {
    const client = await this.table();
    const out: RunRecord[] = [];
    for await (const e of client.listEntities<RunEntity>({ queryOptions: { filter: `PartitionKey eq ${odataString(partition(realmId))}` } })) {
      out.push(toRecord(realmId, decodeURIComponent(e.rowKey ?? ""), withoutSystemFields<RunEntity>(e)));
    }
    return out;
  }
}
