import { createRequire } from "node:module";
import type { InvocationContext } from "@azure/functions";

// durable-functions ships no declarations for its executor internals; these are our own,
// limited to the members the local runtime reads. Loaded from the package's own files so
// orchestrators replay through the exact code Azure runs in the worker.
const require = createRequire(import.meta.url);
const SRC = "durable-functions/lib/src";

/** One history event as the executor reads it (PascalCase, as the extension sends it). */
export interface HistoryEventShape {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: Date | string;
  IsProcessed?: boolean;
  Name?: string;
  Input?: string;
  Result?: string;
  TaskScheduledId?: number;
  TimerId?: number;
  FireAt?: Date | string;
  Reason?: string;
  Details?: string;
  FailureDetails?: FailureDetailsShape;
}

/** The wire shape of failure details the executor turns into a TaskFailedError. */
export interface FailureDetailsShape {
  ErrorType: string;
  ErrorMessage: string;
  StackTrace?: string;
  IsNonRetriable?: boolean;
}

/** The executor's OrchestratorState (the value the orchestrator trigger returns). */
export interface OrchestratorStateShape {
  isDone: boolean;
  actions: ActionShape[][];
  output: unknown;
  error?: string;
  customStatus?: unknown;
  schemaVersion: number;
}

/** An action as the library builds it (CallActivityAction, CreateTimerAction, ...). */
export interface ActionShape {
  actionType: number;
  functionName?: string;
  input?: unknown;
  retryOptions?: RetryOptionsShape;
  fireAt?: Date;
  isCanceled?: boolean;
  externalEventName?: string;
}

/** RetryOptions as the library stores them; the optional members may be absent at runtime. */
export interface RetryOptionsShape {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

/** A task object (TaskBase and subclasses). */
export interface TaskShape {
  id: number | string | false;
  readonly actionObj: ActionShape | "noOp" | undefined;
  parent?: TaskShape;
  children?: TaskShape[];
}

/** The retry wrapper task (RetryableTask). */
export interface RetryableTaskShape extends TaskShape {
  children: TaskShape[];
  retryOptions: RetryOptionsShape;
  attemptNumber: number;
}

/** TaskOrchestrationExecutor, only the members the runtime hooks or reads. */
export interface ExecutorShape {
  trackOpenTask(task: TaskShape): void;
  openTasks: Record<string, TaskShape>;
  exception: unknown;
  willContinueAsNew: boolean;
  actions: ActionShape[];
}

/** The DurableOrchestrationContext the library constructs (context.df). */
export interface DfContextShape {
  taskOrchestratorExecutor: ExecutorShape;
}

type Ctor<T> = abstract new (...args: never[]) => T;

interface TestingUtilsModule {
  DurableOrchestrationInput: new (
    instanceId: string,
    history: HistoryEventShape[],
    input: unknown,
    longRunningTimerIntervalDuration?: string,
    maximumShortTimerDuration?: string,
    defaultHttpAsyncRequestSleepTimeMillseconds?: number,
    schemaVersion?: number,
  ) => object;
  createOrchestrator: (
    fn: unknown,
  ) => (trigger: object, context: InvocationContext) => Promise<OrchestratorStateShape>;
}

const testingUtils = require(`${SRC}/util/testingUtils`) as TestingUtilsModule;
const taskModule = require(`${SRC}/task`) as {
  AtomicTask: Ctor<TaskShape>;
  NoOpTask: Ctor<TaskShape>;
  CompoundTask: Ctor<TaskShape>;
  RetryableTask: Ctor<RetryableTaskShape>;
};
const timerModule = require(`${SRC}/task/DFTimerTask`) as { DFTimerTask: Ctor<TaskShape> };
const replaySchemaModule = require(`${SRC}/orchestrations/ReplaySchema`) as {
  ReplaySchema: { V1: number; V2: number; V3: number; V4: number };
};
const historyTypeModule = require(`${SRC}/history/HistoryEventType`) as {
  HistoryEventType: Record<string, number>;
};
const actionTypeModule = require(`${SRC}/actions/ActionType`) as {
  ActionType: Record<string, number>;
};

interface EventOptions {
  eventId: number;
  timestamp: Date;
  isPlayed?: boolean;
  [key: string]: unknown;
}
type EventCtor = new (options: EventOptions) => HistoryEventShape;
const eventClass = (file: string, name: string): EventCtor =>
  (require(`${SRC}/history/${file}`) as Record<string, EventCtor>)[name] as EventCtor;

/** The library's history event classes, constructed with its HistoryEventOptions-style objects. */
export const HistoryEvents = {
  ExecutionStarted: eventClass("ExecutionStartedEvent", "ExecutionStartedEvent"),
  OrchestratorStarted: eventClass("OrchestratorStartedEvent", "OrchestratorStartedEvent"),
  OrchestratorCompleted: eventClass("OrchestratorCompletedEvent", "OrchestratorCompletedEvent"),
  TaskScheduled: eventClass("TaskScheduledEvent", "TaskScheduledEvent"),
  TaskCompleted: eventClass("TaskCompletedEvent", "TaskCompletedEvent"),
  TaskFailed: eventClass("TaskFailedEvent", "TaskFailedEvent"),
  TimerCreated: eventClass("TimerCreatedEvent", "TimerCreatedEvent"),
  TimerFired: eventClass("TimerFiredEvent", "TimerFiredEvent"),
  EventRaised: eventClass("EventRaisedEvent", "EventRaisedEvent"),
};

const need = (table: Record<string, number>, key: string): number => {
  const value = table[key];
  if (value === undefined) throw new Error(`durable-functions no longer defines ${key}`);
  return value;
};

/** HistoryEventType numbers from the library. */
export const EventType = {
  ExecutionStarted: need(historyTypeModule.HistoryEventType, "ExecutionStarted"),
  ExecutionCompleted: need(historyTypeModule.HistoryEventType, "ExecutionCompleted"),
  ExecutionTerminated: need(historyTypeModule.HistoryEventType, "ExecutionTerminated"),
  TaskScheduled: need(historyTypeModule.HistoryEventType, "TaskScheduled"),
  TaskCompleted: need(historyTypeModule.HistoryEventType, "TaskCompleted"),
  TaskFailed: need(historyTypeModule.HistoryEventType, "TaskFailed"),
  TimerCreated: need(historyTypeModule.HistoryEventType, "TimerCreated"),
  TimerFired: need(historyTypeModule.HistoryEventType, "TimerFired"),
  OrchestratorStarted: need(historyTypeModule.HistoryEventType, "OrchestratorStarted"),
  OrchestratorCompleted: need(historyTypeModule.HistoryEventType, "OrchestratorCompleted"),
  EventRaised: need(historyTypeModule.HistoryEventType, "EventRaised"),
} as const;

/** ActionType numbers from the library. */
export const ActionType = {
  CallActivity: need(actionTypeModule.ActionType, "CallActivity"),
  CallActivityWithRetry: need(actionTypeModule.ActionType, "CallActivityWithRetry"),
  ContinueAsNew: need(actionTypeModule.ActionType, "ContinueAsNew"),
  CreateTimer: need(actionTypeModule.ActionType, "CreateTimer"),
  WaitForExternalEvent: need(actionTypeModule.ActionType, "WaitForExternalEvent"),
} as const;

/** The replay schema the runtime announces (V1: plain timers, flattened compound actions). */
export const REPLAY_SCHEMA = replaySchemaModule.ReplaySchema.V1;

/** The library's createOrchestrator: wraps a generator function in its own Orchestrator. */
export const createOrchestrator = testingUtils.createOrchestrator;

/** Builds the orchestration trigger input (DurableOrchestrationBindingInfo) the extension would send. */
export function orchestrationInput(instanceId: string, history: HistoryEventShape[], input: unknown): object {
  return new testingUtils.DurableOrchestrationInput(instanceId, history, input, undefined, undefined, undefined, REPLAY_SCHEMA);
}

/** Task classes for classifying the executor's tasks. */
export const TaskClasses = {
  AtomicTask: taskModule.AtomicTask,
  NoOpTask: taskModule.NoOpTask,
  CompoundTask: taskModule.CompoundTask,
  RetryableTask: taskModule.RetryableTask,
  DFTimerTask: timerModule.DFTimerTask,
};

/** Splits the executor's failure message ("...\n\n$OutOfProcData$:{state}") into its state; undefined when absent. */
export function parseOutOfProcState(message: string): OrchestratorStateShape | undefined {
  const label = "\n\n$OutOfProcData$:";
  const at = message.indexOf(label);
  if (at < 0) return undefined;
  try {
    return JSON.parse(message.slice(at + label.length)) as OrchestratorStateShape;
  } catch {
    return undefined;
  }
}
