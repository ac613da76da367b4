import azureFunctions, { type InvocationContext as InvocationContextType, type LogHandler } from "@azure/functions";
import {
  ActionType,
  EventType,
  TaskClasses,
  createOrchestrator,
  orchestrationInput,
  parseOutOfProcState,
  type ActionShape,
  type DfContextShape,
  type HistoryEventShape,
  type OrchestratorStateShape,
  type RetryableTaskShape,
  type TaskShape,
} from "./df-internals.js";

// @azure/functions is CommonJS without static named exports, so Node ESM cannot import InvocationContext by name.
const { InvocationContext } = azureFunctions;

/** The executor entry point made from one orchestrator generator function. */
export type CompiledOrchestrator = (trigger: object, context: InvocationContextType) => Promise<OrchestratorStateShape>;

/** Wraps a generator function (what df.app.orchestration receives) in the library's own Orchestrator. */
export function compileOrchestrator(handler: unknown): CompiledOrchestrator {
  return createOrchestrator(handler);
}

/** Work the replay asks for that history does not yet hold. */
export type NewWork =
  | { kind: "activity"; id: number; name: string; input: string | undefined; failImmediately?: string }
  | { kind: "timer"; id: number; fireAt: Date; retryTimedOut?: boolean };

/** What one replay decided. */
export interface ReplayResult {
  status: "running" | "completed" | "failed" | "continued-as-new";
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  continueInput?: unknown;
  newWork: NewWork[];
  /** Timers created (in history or now) that have neither fired nor been cancelled. */
  openTimers: { id: number; fireAt: Date }[];
}

type Planned =
  | { kind: "activity"; name: string; input: string | undefined; retryParent?: RetryableTaskShape }
  | { kind: "timer"; fireAt: Date; cancelled: boolean; retryParent?: RetryableTaskShape; childIndex?: number };

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

// Utils.processInput JSON-encodes string inputs and leaves other values as they are.
const inputJson = (input: unknown): string | undefined =>
  typeof input === "string" ? input : input === undefined ? undefined : JSON.stringify(input);

const isAction = (a: TaskShape["actionObj"]): a is ActionShape => typeof a === "object" && a !== null;

function classify(task: TaskShape): Planned | string {
  const action = task.actionObj;
  if (task instanceof TaskClasses.DFTimerTask && isAction(action) && action.fireAt instanceof Date) {
    return { kind: "timer", fireAt: action.fireAt, cancelled: action.isCanceled === true };
  }
  if (task instanceof TaskClasses.NoOpTask && task.parent instanceof TaskClasses.RetryableTask) {
    const parent = task.parent;
    const index = parent.children.indexOf(task);
    const retryAction = parent.actionObj;
    if (!isAction(retryAction) || retryAction.functionName === undefined) return "a retry task without an activity";
    // RetryableTask alternates children: attempt, retry timer, attempt, retry timer, ...
    if (index % 2 === 1) return { kind: "timer", fireAt: new Date(0), cancelled: false, retryParent: parent, childIndex: index };
    return { kind: "activity", name: retryAction.functionName, input: inputJson(retryAction.input), retryParent: parent };
  }
  if (task instanceof TaskClasses.AtomicTask && isAction(action) && action.functionName !== undefined) {
    if (action.actionType === ActionType.CallActivity || action.actionType === ActionType.CallActivityWithRetry) {
      return { kind: "activity", name: action.functionName, input: inputJson(action.input) };
    }
  }
  const type = isAction(action) ? action.actionType : "noOp";
  return `action type ${String(type)} is not supported by the local durable runtime`;
}

function retryDelay(parent: RetryableTaskShape, childIndex: number, firstScheduled: Date | undefined, now: Date): { delay: number; timedOut: boolean } {
  const options = parent.retryOptions;
  const failedAttempt = (childIndex + 1) / 2;
  if (failedAttempt >= options.maxNumberOfAttempts) return { delay: 0, timedOut: false };
  let delay = options.firstRetryIntervalInMilliseconds * Math.pow(options.backoffCoefficient ?? 1, failedAttempt - 1);
  if (options.maxRetryIntervalInMilliseconds !== undefined && options.maxRetryIntervalInMilliseconds > 0) {
    delay = Math.min(delay, options.maxRetryIntervalInMilliseconds);
  }
  const timeout = options.retryTimeoutInMilliseconds;
  if (timeout !== undefined && timeout > 0 && firstScheduled !== undefined) {
    if (now.getTime() + delay - firstScheduled.getTime() > timeout) return { delay: 0, timedOut: true };
  }
  return { delay, timedOut: false };
}

const eventTime = (e: HistoryEventShape): Date => (e.Timestamp instanceof Date ? e.Timestamp : new Date(e.Timestamp));

/**
 * Replays one instance's history through the library's executor and compares the tasks it
 * schedules with the history, the way the Durable Task Framework does. Never throws for
 * orchestrator errors: they come back as status "failed".
 */
export async function replayOrchestration(
  orchestrator: CompiledOrchestrator,
  orchestrationName: string,
  instanceId: string,
  input: unknown,
  history: HistoryEventShape[],
  now: Date,
  logHandler?: LogHandler,
): Promise<ReplayResult> {
  const assigned = new Map<number, TaskShape>();
  let executor: DfContextShape["taskOrchestratorExecutor"] | undefined;
  const context = new InvocationContext({
    functionName: orchestrationName,
    invocationId: `${instanceId}:${now.getTime()}`,
    ...(logHandler === undefined ? {} : { logHandler }),
  });
  let df: DfContextShape | undefined;
  // Orchestrator.handle assigns context.df before it runs the executor; catching that moment
  // lets us record the sequence number the executor gives every task, completed ones included.
  Object.defineProperty(context, "df", {
    configurable: true,
    enumerable: true,
    get: () => df,
    set: (value: DfContextShape) => {
      df = value;
      executor = value.taskOrchestratorExecutor;
      const exec = executor;
      const original = exec.trackOpenTask.bind(exec);
      exec.trackOpenTask = (task: TaskShape) => {
        original(task);
        const compound: boolean = task instanceof TaskClasses.CompoundTask;
        if (!compound && typeof task.id === "number") assigned.set(task.id, task);
      };
    },
  });

  let state: OrchestratorStateShape | undefined;
  let thrown: string | undefined;
  try {
    state = await orchestrator(orchestrationInput(instanceId, history, input), context);
  } catch (e) {
    const parsed = parseOutOfProcState(errorMessage(e));
    state = parsed;
    const inner = executor?.exception;
    thrown = inner !== undefined ? errorMessage(inner) : parsed?.error ?? errorMessage(e);
  }

  const scheduled = new Map<number, HistoryEventShape>();
  const finished = new Set<number>();
  for (const e of history) {
    if (e.EventType === EventType.TaskScheduled || e.EventType === EventType.TimerCreated) scheduled.set(e.EventId, e);
    if ((e.EventType === EventType.TaskCompleted || e.EventType === EventType.TaskFailed) && e.TaskScheduledId !== undefined) finished.add(e.TaskScheduledId);
    if (e.EventType === EventType.TimerFired && e.TimerId !== undefined) finished.add(e.TimerId);
  }

  const failed = (error: string): ReplayResult => ({ status: "failed", error, customStatus: state?.customStatus, newWork: [], openTimers: [] });

  const newWork: NewWork[] = [];
  const openTimers: { id: number; fireAt: Date }[] = [];
  for (const [id, task] of [...assigned.entries()].sort((a, b) => a[0] - b[0])) {
    const planned = classify(task);
    if (typeof planned === "string") return failed(planned);
    const recorded = scheduled.get(id);
    if (recorded !== undefined) {
      const mismatch = nonDeterminism(id, recorded, planned);
      if (mismatch !== undefined) return failed(mismatch);
      if (planned.kind === "timer" && !finished.has(id) && !planned.cancelled && recorded.FireAt !== undefined) {
        openTimers.push({ id, fireAt: new Date(recorded.FireAt) });
      }
      continue;
    }
    if (planned.kind === "activity") {
      let failImmediately: string | undefined;
      const parent = planned.retryParent;
      if (parent !== undefined) {
        const index = parent.children.indexOf(task);
        const timer = parent.children[index - 1];
        const timerEvent = timer !== undefined && typeof timer.id === "number" ? scheduled.get(timer.id) : undefined;
        if (timerEvent?.Name === RETRY_TIMEOUT_MARK) failImmediately = `Retry timeout of ${String(parent.retryOptions.retryTimeoutInMilliseconds)} ms exceeded for activity '${planned.name}'`;
      }
      newWork.push(failImmediately === undefined ? { kind: "activity", id, name: planned.name, input: planned.input } : { kind: "activity", id, name: planned.name, input: planned.input, failImmediately });
    } else if (planned.retryParent !== undefined && planned.childIndex !== undefined) {
      const first = planned.retryParent.children[0];
      const firstEvent = first !== undefined && typeof first.id === "number" ? scheduled.get(first.id) : undefined;
      const { delay, timedOut } = retryDelay(planned.retryParent, planned.childIndex, firstEvent ? eventTime(firstEvent) : undefined, now);
      const fireAt = new Date(now.getTime() + delay);
      newWork.push(timedOut ? { kind: "timer", id, fireAt, retryTimedOut: true } : { kind: "timer", id, fireAt });
      openTimers.push({ id, fireAt });
    } else if (!planned.cancelled) {
      newWork.push({ kind: "timer", id, fireAt: planned.fireAt });
      openTimers.push({ id, fireAt: planned.fireAt });
    }
  }

  if (thrown === undefined) {
    for (const [id, event] of scheduled) {
      if (!assigned.has(id)) {
        const what = event.EventType === EventType.TimerCreated ? "a durable timer" : `an activity task named '${event.Name ?? ""}'`;
        return failed(
          `Non-Deterministic workflow detected: a previous execution of this orchestration scheduled ${what} with sequence ID ${id}, ` +
            `but the current replay execution hasn't scheduled this task. Was a change made to the orchestrator code after this instance had already started running?`,
        );
      }
    }
  }

  if (thrown !== undefined) return failed(thrown);
  if (state === undefined) return failed("the orchestrator returned no state");
  const continueAction = executor?.willContinueAsNew ? executor.actions.find((a) => a.actionType === ActionType.ContinueAsNew) : undefined;
  if (continueAction !== undefined) {
    const raw = continueAction.input;
    return { status: "continued-as-new", continueInput: typeof raw === "string" ? (JSON.parse(raw) as unknown) : raw, customStatus: state.customStatus, newWork: [], openTimers: [] };
  }
  if (state.isDone) return { status: "completed", output: state.output, customStatus: state.customStatus, newWork: [], openTimers: [] };
  return { status: "running", customStatus: state.customStatus, newWork, openTimers };
}

/** Name given to a retry timer whose retry timeout has run out, so the next attempt fails without running. */
export const RETRY_TIMEOUT_MARK = "retry-timeout-exceeded";

function nonDeterminism(id: number, recorded: HistoryEventShape, planned: Planned): string | undefined {
  const recordedWhat =
    recorded.EventType === EventType.TimerCreated ? "a durable timer" : `an activity task named '${recorded.Name ?? ""}'`;
  const plannedWhat = planned.kind === "timer" ? "a durable timer" : `an activity task named '${planned.name}'`;
  const same =
    (recorded.EventType === EventType.TimerCreated && planned.kind === "timer") ||
    (recorded.EventType === EventType.TaskScheduled && planned.kind === "activity" && planned.name === recorded.Name);
  if (same) return undefined;
  return (
    `Non-Deterministic workflow detected: a previous execution of this orchestration scheduled ${recordedWhat} with sequence ID ${id}, ` +
    `but the current replay execution scheduled ${plannedWhat} instead. Was a change made to the orchestrator code after this instance had already started running?`
  );
}
