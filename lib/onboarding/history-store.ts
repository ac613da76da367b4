import type { TableClient } from "@azure/data-tables";
import { odataString, realmKey } from "../storage/keys.js";
import type { Phase, StepKind } from "./steps.js";

export type HistoryEvent =
  | "run-started"
  | "step-published"
  | "step-republished"
  | "step-answered"
  | "step-timed-out"
  | "step-skipped"
  | "check-audited"
  | "escrow-verified"
  | "escrow-missing"
  | "escrow-backend"
  | "user-confirmed"
  | "run-succeeded"
  | "run-failed";

/** One transition of a device's initial run. Never holds a secret (no recovery key, no password). */
export interface HistoryEntry {
  runId: string;
  attempt: number;
  /** Position within the run (the orchestrator counts, so a re-run activity overwrites its own row). */
  seq: number;
  /** The agent's answer to the step published at `seq` (written by the intake, sorted right after the publication). */
  answer?: true;
  at: string;
  event: HistoryEvent;
  phase: Phase;
  stepId?: string;
  stepKind?: StepKind;
  outcome?: "succeeded" | "failed";
  /** A FailureReason, or why a step was skipped or audited. */
  reason?: string;
  detail?: string;
  data?: Record<string, string | number | boolean>;
}

interface HistoryEntity {
  runId: string;
  attempt: number;
  seq: number;
  at: string;
  event: HistoryEvent;
  phase: Phase;
  stepId?: string;
  stepKind?: StepKind;
  outcome?: "succeeded" | "failed";
  reason?: string;
  detail?: string;
  data?: string;
}

const partition = (realmId: string, deviceId: string) => realmKey(realmId, "history", deviceId);
const row = (e: Pick<HistoryEntry, "attempt" | "seq" | "answer">) => `${String(e.attempt).padStart(4, "0")}|${String(e.seq).padStart(5, "0")}${e.answer === true ? "|answer" : ""}`;

/** The transitions of every run of a device, oldest first (table OnboardingHistory). */
export class HistoryStore {
  constructor(private readonly table: () => Promise<TableClient>) {}

  /** Writes the entry; writing the same run and seq again replaces it (idempotent for re-run activities). */
  async put(realmId: string, deviceId: string, entry: HistoryEntry): Promise<void> {
    const client = await this.table();
    const { data, answer: _answer, ...rest } = entry;
    const entity: HistoryEntity = { ...rest, ...(data === undefined ? {} : { data: JSON.stringify(data) }) };
    await client.upsertEntity({ partitionKey: partition(realmId, deviceId), rowKey: row(entry), ...entity }, "Replace");
  }

  /** Every entry of the device, in run and transition order; [] when none. */
  async list(realmId: string, deviceId: string): Promise<HistoryEntry[]> {
    const client = await this.table();
    const out: { key: string; entry: HistoryEntry }[] = [];
    for await (const e of client.listEntities<HistoryEntity>({ queryOptions: { filter: `PartitionKey eq ${odataString(partition(realmId, deviceId))}` } })) {
      const entry: HistoryEntry = {
        runId: e.runId,
        attempt: e.attempt,
        seq: e.seq,
        at: e.at,
        event: e.event,
        phase: e.phase,
        ...(e.stepId ? { stepId: e.stepId } : {}),
        ...(e.stepKind ? { stepKind: e.stepKind } : {}),
        ...(e.outcome ? { outcome: e.outcome } : {}),
        ...(e.reason ? { reason: e.reason } : {}),
        ...(e.detail ? { detail: e.detail } : {}),
        ...(e.data ? { data: JSON.parse(e.data) as Record<string, string | number | boolean> } : {}),
      };
      out.push({ key: e.rowKey ?? "", entry });
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((x) => x.entry);
  }
}
