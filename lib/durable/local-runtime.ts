import { randomUUID } from "node:crypto";
import azureFunctions, { type LogHandler } from "@azure/functions";
import { systemClock, type Clock } from "../core/clock.js";
import { notFound, validationError } from "../core/errors.js";
import { EventType, type HistoryEventShape } from "./df-internals.js";
import {
  executionEnded,
  executionStarted,
  messageEvent,
  orchestratorCompleted,
  orchestratorStarted,
  taskScheduled,
  timerCreated,
} from "./history-events.js";
import type { OrchestrationClient, OrchestrationStatus } from "./orchestration-client.js";
import type { DurableRegistry } from "./registry.js";
import { compileOrchestrator, replayOrchestration, RETRY_TIMEOUT_MARK, type CompiledOrchestrator, type ReplayResult } from "./replay.js";
import { isTerminal, type DurableStore, type InboxMessage, type InstanceMeta, type InstanceSnapshot } from "./store.js";
import { TimerScheduler, type ScheduledTimer } from "./timer-scheduler.js";
import { BoundedWorkQueue } from "./work-queue.js";

// @azure/functions is CommonJS without static named exports, so Node ESM cannot import InvocationContext by name.
const { InvocationContext } = azureFunctions;

/** Settings of the local durable runtime. */
export interface LocalDurableRuntimeOptions {
  store: DurableStore;
  registry: DurableRegistry;
  /** Time source for history timestamps and timers; systemClock by default. */
  clock?: Clock;
  /** Activities running at once across all instances (default 16). */
  maxConcurrentActivities?: number;
  /** Inbox messages one episode applies at most (default 50; Table transactions hold 100 operations). */
  maxMessagesPerEpisode?: number;
  /** Delay before retrying an episode or a message write after a storage error (default 500 ms). */
  storageRetryMs?: number;
  /** Receives context.log calls of orchestrators and activities; @azure/functions' console fallback by default. */
  logHandler?: LogHandler;
  /** Diagnostics sink; silent by default. */
  log?: (level: "info" | "warn" | "error", message: string) => void;
}

interface ActivityWork {
  instanceId: string;
  executionId: string;
  taskId: number;
  name: string;
  input: string | undefined;
  failImmediately?: string;
}

type Waiter = { resolve: (s: OrchestrationStatus) => void; reject: (e: Error) => void };

const LOCAL_FAILURE = "LocalFailure";

const toStatus = (meta: InstanceMeta): OrchestrationStatus => ({
  instanceId: meta.instanceId,
  name: meta.name,
  runtimeStatus: meta.runtimeStatus,
  input: meta.input,
  output: meta.output,
  customStatus: meta.customStatus,
  createdTime: new Date(meta.createdTime),
  lastUpdatedTime: new Date(meta.lastUpdatedTime),
});

/**
 * Runs durable-functions orchestrators locally with Azure's replay semantics: history is
 * persisted in a DurableStore, replayed through the library's executor every episode, and
 * every step is committed before its effects (activities, timers) are started.
 */
export class LocalDurableRuntime implements OrchestrationClient {
  private readonly store: DurableStore;
  private readonly registry: DurableRegistry;
  private readonly clock: Clock;
  private readonly maxMessages: number;
  private readonly retryMs: number;
  private readonly log: (level: "info" | "warn" | "error", message: string) => void;
  private readonly logHandler: LogHandler | undefined;
  private readonly activities: BoundedWorkQueue;
  private readonly timers: TimerScheduler;
  private readonly compiled = new Map<string, CompiledOrchestrator>();
  private readonly episodes = new Map<string, { again: boolean; done: Promise<void> }>();
  private readonly inflight = new Set<string>();
  private readonly waiters = new Map<string, Waiter[]>();
  private eventSeq = 0;
  private started = false;
  private stopped = false;

  constructor(options: LocalDurableRuntimeOptions) {
    this.store = options.store;
    this.registry = options.registry;
    this.clock = options.clock ?? systemClock;
    this.maxMessages = options.maxMessagesPerEpisode ?? 50;
    this.retryMs = options.storageRetryMs ?? 500;
    this.log = options.log ?? (() => undefined);
    this.logHandler = options.logHandler;
    this.activities = new BoundedWorkQueue(options.maxConcurrentActivities ?? 16);
    this.timers = new TimerScheduler(this.clock, (t) => this.fireTimer(t));
  }

  /** Resumes every unfinished instance in the store: re-arms timers, re-runs activities whose completion is not recorded, applies waiting messages. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const instanceId of await this.store.listUnfinished()) {
      const snapshot = await this.store.load(instanceId);
      if (snapshot === undefined) continue;
      this.armTimers(snapshot.meta);
      this.dispatchUnfinishedActivities(snapshot);
      this.scheduleEpisode(instanceId);
    }
  }

  /** Stops timers and new work; resolves when running activities and episodes have settled. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.stop();
    await this.activities.idle();
    await Promise.all([...this.episodes.values()].map((e) => e.done));
    for (const [, list] of this.waiters) for (const w of list) w.reject(new Error("runtime stopped"));
    this.waiters.clear();
  }

  /** Fires due timers now; for tests that move a ManualClock. */
  checkTimers(): void {
    this.timers.checkNow();
  }

  async startNew(name: string, instanceId: string, input: unknown): Promise<"started" | "exists"> {
    if (this.registry.getOrchestration(name) === undefined) throw validationError(`no orchestrator named '${name}' is registered`, "unknown-orchestrator");
    const now = new Date(this.clock.now()).toISOString();
    const meta: InstanceMeta = {
      instanceId,
      name,
      executionId: randomUUID(),
      runtimeStatus: "Pending",
      input: input === undefined ? null : input,
      output: null,
      customStatus: null,
      createdTime: now,
      lastUpdatedTime: now,
      timers: [],
    };
    const created = await this.store.create(meta);
    if (created === "exists") return "exists";
    this.timers.set(instanceId, []);
    this.scheduleEpisode(instanceId);
    return "started";
  }

  async raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<void> {
    const found = await this.store.getMeta(instanceId);
    if (found === undefined) throw notFound(`no orchestration instance '${instanceId}'`);
    if (isTerminal(found.meta.runtimeStatus)) return;
    const input = data === undefined ? undefined : JSON.stringify(data);
    const key = `evt-${String(this.clock.now()).padStart(15, "0")}-${String(++this.eventSeq).padStart(9, "0")}-${randomUUID().slice(0, 8)}`;
    await this.deliver(instanceId, input === undefined ? { key, kind: "event-raised", name: eventName } : { key, kind: "event-raised", name: eventName, input });
  }

  async getStatus(instanceId: string): Promise<OrchestrationStatus | undefined> {
    const found = await this.store.getMeta(instanceId);
    return found === undefined ? undefined : toStatus(found.meta);
  }

  async terminate(instanceId: string, reason: string): Promise<void> {
    const found = await this.store.getMeta(instanceId);
    if (found === undefined) throw notFound(`no orchestration instance '${instanceId}'`);
    if (isTerminal(found.meta.runtimeStatus)) return;
    await this.deliver(instanceId, { key: `term-${randomUUID()}`, kind: "terminate", reason });
  }

  async purge(instanceId: string): Promise<boolean> {
    const found = await this.store.getMeta(instanceId);
    if (found === undefined || !isTerminal(found.meta.runtimeStatus)) return false;
    this.timers.set(instanceId, []);
    return await this.store.purge(instanceId);
  }

  /** The full current history of an instance (for tests and diagnostics); undefined when absent. */
  async getHistory(instanceId: string): Promise<HistoryEventShape[] | undefined> {
    return (await this.store.load(instanceId))?.history;
  }

  /** Resolves with the status once the instance is Completed, Failed or Terminated; rejects after `timeoutMs`. */
  async waitForCompletion(instanceId: string, timeoutMs = 30_000): Promise<OrchestrationStatus> {
    const current = await this.getStatus(instanceId);
    if (current === undefined) throw notFound(`no orchestration instance '${instanceId}'`);
    if (isTerminal(current.runtimeStatus as InstanceMeta["runtimeStatus"])) return current;
    return await new Promise<OrchestrationStatus>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`instance '${instanceId}' did not finish within ${timeoutMs} ms`)), timeoutMs);
      const list = this.waiters.get(instanceId) ?? [];
      list.push({
        resolve: (s) => (clearTimeout(timer), resolve(s)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.waiters.set(instanceId, list);
      // The instance may have finished between the read above and registering.
      void this.getStatus(instanceId).then((s) => {
        if (s !== undefined && isTerminal(s.runtimeStatus as InstanceMeta["runtimeStatus"])) this.notify(s);
      });
    });
  }

  private notify(status: OrchestrationStatus): void {
    const list = this.waiters.get(status.instanceId);
    if (list === undefined) return;
    this.waiters.delete(status.instanceId);
    for (const w of list) w.resolve(status);
  }

  private async deliver(instanceId: string, message: InboxMessage): Promise<void> {
    const result = await this.store.addMessage(instanceId, message);
    if (result === "absent") throw notFound(`no orchestration instance '${instanceId}'`);
    this.scheduleEpisode(instanceId);
  }

  private scheduleEpisode(instanceId: string): void {
    if (this.stopped) return;
    const running = this.episodes.get(instanceId);
    if (running !== undefined) {
      running.again = true;
      return;
    }
    const state = { again: true, done: Promise.resolve() };
    state.done = (async () => {
      while (state.again && !this.stopped) {
        state.again = false;
        try {
          if (await this.runEpisode(instanceId)) state.again = true;
        } catch (e) {
          this.log("error", `episode of '${instanceId}' failed: ${e instanceof Error ? e.message : String(e)}`);
          await new Promise((r) => setTimeout(r, this.retryMs));
          state.again = true;
        }
      }
      this.episodes.delete(instanceId);
    })();
    this.episodes.set(instanceId, state);
  }

  private orchestrator(name: string): CompiledOrchestrator | undefined {
    let compiled = this.compiled.get(name);
    if (compiled === undefined) {
      const handler = this.registry.getOrchestration(name);
      if (handler === undefined) return undefined;
      compiled = compileOrchestrator(handler);
      this.compiled.set(name, compiled);
    }
    return compiled;
  }

  /** One episode with optimistic concurrency. Returns true when another episode should follow at once. */
  private async runEpisode(instanceId: string): Promise<boolean> {
    for (;;) {
      const snapshot = await this.store.load(instanceId);
      if (snapshot === undefined) return false;
      const outcome = await this.tryEpisode(snapshot);
      if (outcome !== "conflict") return outcome === "again";
    }
  }

  private async tryEpisode(snapshot: InstanceSnapshot): Promise<"done" | "again" | "conflict"> {
    const { meta, etag, history } = snapshot;
    const messages = [...snapshot.messages].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const batch = messages.slice(0, this.maxMessages);
    const more = messages.length > batch.length;
    const consumed = batch.map((m) => m.key);
    const nowDate = new Date(this.clock.now());

    if (isTerminal(meta.runtimeStatus)) {
      if (consumed.length === 0) return "done";
      return (await this.store.commit(meta.instanceId, etag, { meta, append: [], newExecution: false, consumed, baseLength: history.length })) === "committed" ? (more ? "again" : "done") : "conflict";
    }

    const scheduledNames = new Map<number, string>();
    const finished = new Set<number>();
    for (const e of history) {
      if (e.EventType === EventType.TaskScheduled || e.EventType === EventType.TimerCreated) scheduledNames.set(e.EventId, e.Name ?? "");
      if ((e.EventType === EventType.TaskCompleted || e.EventType === EventType.TaskFailed) && e.TaskScheduledId !== undefined) finished.add(e.TaskScheduledId);
      if (e.EventType === EventType.TimerFired && e.TimerId !== undefined) finished.add(e.TimerId);
    }

    const isStart = history.length === 0 && (meta.runtimeStatus === "Pending" || meta.runtimeStatus === "ContinuedAsNew");
    const episodeEvents: HistoryEventShape[] = [orchestratorStarted(nowDate)];
    if (isStart) episodeEvents.push(executionStarted(nowDate, meta.name, meta.input));
    let terminate: string | undefined;
    for (const m of batch) {
      if (m.kind === "terminate") {
        terminate ??= m.reason;
        continue;
      }
      if (m.kind !== "event-raised") {
        // Results of older executions, unknown tasks and duplicates (an activity re-run after a crash) are dropped here.
        const id = m.kind === "timer-fired" ? m.timerId : m.taskId;
        if (m.executionId !== meta.executionId || !scheduledNames.has(id) || finished.has(id)) continue;
        finished.add(id);
      }
      const event = messageEvent(nowDate, m, (taskId) => scheduledNames.get(taskId) ?? "");
      if (event !== undefined) episodeEvents.push(event);
    }

    const nowIso = nowDate.toISOString();
    if (terminate !== undefined) {
      const next: InstanceMeta = { ...meta, runtimeStatus: "Terminated", output: terminate, timers: [], lastUpdatedTime: nowIso };
      const append = [orchestratorStarted(nowDate), executionEnded(nowDate, "terminated", terminate)];
      if ((await this.store.commit(meta.instanceId, etag, { meta: next, append: played(append), newExecution: false, consumed, baseLength: history.length })) === "conflict") return "conflict";
      this.afterCommit(next, []);
      return "done";
    }

    if (!isStart && episodeEvents.length === 1) {
      if (consumed.length === 0) return "done";
      return (await this.store.commit(meta.instanceId, etag, { meta, append: [], newExecution: false, consumed, baseLength: history.length })) === "committed" ? (more ? "again" : "done") : "conflict";
    }

    const orchestrator = this.orchestrator(meta.name);
    const result: ReplayResult =
      orchestrator === undefined
        ? { status: "failed", error: `no orchestrator named '${meta.name}' is registered`, newWork: [], openTimers: [] }
        : await replayOrchestration(orchestrator, meta.name, meta.instanceId, meta.input, [...history, ...episodeEvents], nowDate, this.logHandler);

    const append = [...episodeEvents];
    const dispatch: ActivityWork[] = [];
    let next: InstanceMeta;
    let newExecution = false;
    const customStatus = result.customStatus === undefined ? null : result.customStatus;
    switch (result.status) {
      case "running":
        for (const work of result.newWork) {
          if (work.kind === "activity") {
            const event = taskScheduled(nowDate, work.id, work.name, work.input);
            if (work.failImmediately !== undefined) (event as unknown as Record<string, unknown>)[LOCAL_FAILURE] = work.failImmediately;
            append.push(event);
            const item: ActivityWork = { instanceId: meta.instanceId, executionId: meta.executionId, taskId: work.id, name: work.name, input: work.input };
            dispatch.push(work.failImmediately === undefined ? item : { ...item, failImmediately: work.failImmediately });
          } else {
            const event = timerCreated(nowDate, work.id, work.fireAt);
            if (work.retryTimedOut === true) event.Name = RETRY_TIMEOUT_MARK;
            append.push(event);
          }
        }
        next = {
          ...meta,
          runtimeStatus: "Running",
          customStatus,
          lastUpdatedTime: nowIso,
          timers: result.openTimers.map((t) => ({ id: t.id, fireAt: t.fireAt.toISOString() })),
        };
        break;
      case "completed":
        append.push(executionEnded(nowDate, "completed", result.output));
        next = { ...meta, runtimeStatus: "Completed", output: result.output === undefined ? null : result.output, customStatus, lastUpdatedTime: nowIso, timers: [] };
        break;
      case "failed": {
        const error = result.error ?? "unknown error";
        next = { ...meta, runtimeStatus: "Failed", error, output: `Orchestrator function '${meta.name}' failed: ${error}`, customStatus, lastUpdatedTime: nowIso, timers: [] };
        break;
      }
      case "continued-as-new":
        next = {
          ...meta,
          runtimeStatus: "ContinuedAsNew",
          executionId: randomUUID(),
          input: result.continueInput === undefined ? null : result.continueInput,
          customStatus,
          lastUpdatedTime: nowIso,
          timers: [],
        };
        newExecution = true;
        break;
    }
    append.push(orchestratorCompleted(nowDate));

    const committed = await this.store.commit(meta.instanceId, etag, {
      meta: next,
      append: newExecution ? [] : played(append),
      newExecution,
      consumed,
      baseLength: history.length,
    });
    if (committed === "conflict") return "conflict";
    this.afterCommit(next, dispatch);
    return newExecution || more ? "again" : "done";
  }

  private afterCommit(meta: InstanceMeta, dispatch: ActivityWork[]): void {
    this.armTimers(meta);
    for (const work of dispatch) this.dispatchActivity(work);
    if (isTerminal(meta.runtimeStatus)) this.notify(toStatus(meta));
  }

  private armTimers(meta: InstanceMeta): void {
    const timers: ScheduledTimer[] = isTerminal(meta.runtimeStatus)
      ? []
      : meta.timers.map((t) => ({ instanceId: meta.instanceId, executionId: meta.executionId, timerId: t.id, fireAt: Date.parse(t.fireAt) }));
    this.timers.set(meta.instanceId, timers);
  }

  private fireTimer(timer: ScheduledTimer): void {
    const message: InboxMessage = {
      key: `timer-${timer.executionId}-${timer.timerId}`,
      kind: "timer-fired",
      executionId: timer.executionId,
      timerId: timer.timerId,
      fireAt: new Date(timer.fireAt).toISOString(),
    };
    void this.writeMessage(timer.instanceId, message);
  }

  private dispatchUnfinishedActivities(snapshot: InstanceSnapshot): void {
    const { meta, history, messages } = snapshot;
    const done = new Set<number>();
    for (const e of history) if ((e.EventType === EventType.TaskCompleted || e.EventType === EventType.TaskFailed) && e.TaskScheduledId !== undefined) done.add(e.TaskScheduledId);
    for (const m of messages) if ((m.kind === "task-completed" || m.kind === "task-failed") && m.executionId === meta.executionId) done.add(m.taskId);
    for (const e of history) {
      if (e.EventType !== EventType.TaskScheduled || done.has(e.EventId)) continue;
      const localFailure = (e as unknown as Record<string, unknown>)[LOCAL_FAILURE];
      const work: ActivityWork = { instanceId: meta.instanceId, executionId: meta.executionId, taskId: e.EventId, name: e.Name ?? "", input: e.Input };
      this.dispatchActivity(typeof localFailure === "string" ? { ...work, failImmediately: localFailure } : work);
    }
  }

  private dispatchActivity(work: ActivityWork): void {
    const key = `task-${work.executionId}-${work.taskId}`;
    if (this.inflight.has(key) || this.stopped) return;
    this.inflight.add(key);
    this.activities.push(async () => {
      try {
        const message = await this.runActivity(work, key);
        await this.writeMessage(work.instanceId, message);
      } finally {
        this.inflight.delete(key);
      }
    });
  }

  private async runActivity(work: ActivityWork, key: string): Promise<InboxMessage> {
    const base = { key, executionId: work.executionId, taskId: work.taskId };
    const fail = (e: unknown): InboxMessage => {
      const err = e instanceof Error ? e : new Error(String(e));
      return err.stack === undefined
        ? { ...base, kind: "task-failed", errorType: err.name, errorMessage: err.message }
        : { ...base, kind: "task-failed", errorType: err.name, errorMessage: err.message, stack: err.stack };
    };
    if (work.failImmediately !== undefined) return fail(new Error(work.failImmediately));
    const handler = this.registry.getActivity(work.name);
    if (handler === undefined) return fail(new Error(`no activity named '${work.name}' is registered`));
    try {
      const input: unknown = work.input === undefined ? undefined : JSON.parse(work.input);
      const context = new InvocationContext({ functionName: work.name, invocationId: randomUUID(), ...(this.logHandler === undefined ? {} : { logHandler: this.logHandler }) });
      const output: unknown = await handler(input, context);
      return { ...base, kind: "task-completed", result: JSON.stringify(output) ?? "null" };
    } catch (e) {
      return fail(e);
    }
  }

  /** Writes a message, retrying while storage is unavailable, then wakes the instance. */
  private async writeMessage(instanceId: string, message: InboxMessage): Promise<void> {
    while (!this.stopped) {
      try {
        if ((await this.store.addMessage(instanceId, message)) !== "absent") this.scheduleEpisode(instanceId);
        return;
      } catch (e) {
        this.log("warn", `could not record ${message.kind} for '${instanceId}': ${e instanceof Error ? e.message : String(e)}`);
        await new Promise((r) => setTimeout(r, this.retryMs));
      }
    }
  }
}

// Events are stored as already played: the next replay sees them as past episodes.
const played = (events: HistoryEventShape[]): HistoryEventShape[] => events.map((e) => ({ ...e, IsPlayed: true }));
