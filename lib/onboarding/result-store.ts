import type { TableClient } from "@azure/data-tables";
import { keyPart, realmKey } from "../storage/keys.js";
import { compactKeyPart, TABLE_KEY_MAX_CHARS } from "../storage/limits.js";
import { isConflict, isNotFound } from "../storage/rest-error.js";

/** The fingerprint of an accepted step result (what makes a repeat identical). */
export interface ResultRecord {
  hash: string;
  outcome: "succeeded" | "failed";
  receivedAt: string;
}

const partition = (realmId: string, deviceId: string) => realmKey(realmId, "results", deviceId);
// Step ids hold package ids (a 100-letter CJK id is 900 characters encoded): a step part that would not fit is hashed.
const row = (runId: string, stepId: string) => {
  const run = keyPart(runId);
  return `${run}|${compactKeyPart(stepId, TABLE_KEY_MAX_CHARS - 1 - run.length)}`;
};

/** One accepted result per run and step (table OnboardingResults): the basis of idempotent answers. */
export class ResultStore {
  constructor(private readonly table: () => Promise<TableClient>) {}

  /** The accepted result of the step, or undefined when none was accepted. */
  async get(realmId: string, deviceId: string, runId: string, stepId: string): Promise<ResultRecord | undefined> {
    const client = await this.table();
    try {
      const e = await client.getEntity<ResultRecord>(partition(realmId, deviceId), row(runId, stepId));
      return { hash: e.hash, outcome: e.outcome, receivedAt: e.receivedAt };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Records the result once: "created", or the record another request stored first. */
  async create(realmId: string, deviceId: string, runId: string, stepId: string, record: ResultRecord): Promise<"created" | ResultRecord> {
    const client = await this.table();
    try {
      await client.createEntity({ partitionKey: partition(realmId, deviceId), rowKey: row(runId, stepId), ...record });
      return "created";
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
    const existing = await this.get(realmId, deviceId, runId, stepId);
    if (existing === undefined) throw new Error("a step result vanished between create and read");
    return existing;
  }
}
