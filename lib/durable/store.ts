import type { HistoryEventShape } from "./df-internals.js";

/** Runtime status names, as Durable Functions reports them. */
export type RuntimeStatus = "Pending" | "Running" | "Completed" | "Failed" | "Terminated" | "ContinuedAsNew";

export const TERMINAL_STATUSES: readonly RuntimeStatus[] = ["Completed", "Failed", "Terminated"];

/** True when the instance will not run again. */
export const isTerminal = (status: RuntimeStatus): boolean => TERMINAL_STATUSES.includes(status);

/** A durable timer the scheduler must fire (not yet fired, not cancelled). */
export interface PendingTimer {
  id: number;
  /** ISO 8601. */
  fireAt: string;
}

/** The instance record kept beside its history. JSON values only. */
export interface InstanceMeta {
  instanceId: string;
  name: string;
  /** Changes on start and on continue-as-new; messages for older executions are dropped. */
  executionId: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  error?: string;
  /** ISO 8601. */
  createdTime: string;
  /** ISO 8601. */
  lastUpdatedTime: string;
  timers: PendingTimer[];
}

/** A message waiting to be applied to an instance by its next episode; `key` makes delivery idempotent. */
export type InboxMessage =
  | { key: string; kind: "task-completed"; executionId: string; taskId: number; result: string }
  | { key: string; kind: "task-failed"; executionId: string; taskId: number; errorType: string; errorMessage: string; stack?: string }
  | { key: string; kind: "timer-fired"; executionId: string; timerId: number; fireAt: string }
  | { key: string; kind: "event-raised"; name: string; input?: string }
  | { key: string; kind: "terminate"; reason: string };

/** Everything an episode needs: the record, its ETag, the current execution's history and the inbox. */
export interface InstanceSnapshot {
  meta: InstanceMeta;
  etag: string;
  history: HistoryEventShape[];
  messages: InboxMessage[];
}

/** One episode's atomic write. */
export interface EpisodeCommit {
  meta: InstanceMeta;
  /** Number of events the history held when the episode loaded it (the append position). */
  baseLength: number;
  /** Events to append to the history of meta.executionId. */
  append: HistoryEventShape[];
  /** True when meta.executionId is new (continue-as-new): the old history is dropped. */
  newExecution: boolean;
  /** Inbox keys this episode applied (or discarded). */
  consumed: string[];
}

/** Persistence of durable instances. One contract suite runs against every implementation. */
export interface DurableStore {
  /** Creates the instance; replaces one that is terminal. Returns "exists" when a non-terminal instance has the id. */
  create(meta: InstanceMeta): Promise<"created" | "exists">;
  /** The record and its ETag; undefined when absent. */
  getMeta(instanceId: string): Promise<{ meta: InstanceMeta; etag: string } | undefined>;
  /** Record, current history and inbox; undefined when absent. */
  load(instanceId: string): Promise<InstanceSnapshot | undefined>;
  /** Adds an inbox message. "duplicate" when that key is already waiting, "absent" when the instance is unknown. */
  addMessage(instanceId: string, message: InboxMessage): Promise<"added" | "duplicate" | "absent">;
  /** Applies an episode atomically if the ETag still matches; "conflict" otherwise (nothing written). */
  commit(instanceId: string, etag: string, episode: EpisodeCommit): Promise<"committed" | "conflict">;
  /** Ids of instances that are Pending, Running or ContinuedAsNew. */
  listUnfinished(): Promise<string[]>;
  /** Deletes record, history and inbox. False when absent. */
  purge(instanceId: string): Promise<boolean>;
}
