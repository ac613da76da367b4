import { afterEach, describe, expect, it } from "vitest";
import { EventType } from "../../../lib/durable/df-internals.js";
import { LocalDurableRuntime } from "../../../lib/durable/local-runtime.js";
import type { DurableStore } from "../../../lib/durable/store.js";
import { testRegistry } from "./orchestrations.js";

/** The runtime's behaviours, run over any store. */
export function describeRuntimeBehaviour(name: string, makeStore: () => Promise<DurableStore>, manyInstances: number): void {
const runtimes: LocalDurableRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.stop()));
});

async function setup(options: { maxConcurrentActivities?: number } = {}) {
  const fixtures = testRegistry();
  const store = await makeStore();
  const runtime = new LocalDurableRuntime({ store, registry: fixtures.registry, ...options });
  runtimes.push(runtime);
  return { ...fixtures, store, runtime };
}

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 2000; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error("condition not reached");
}

const types = (history: { EventType: number; EventId: number }[] | undefined, type: number) => (history ?? []).filter((e) => e.EventType === type);

describe(`LocalDurableRuntime over ${name}`, () => {
  it("when an orchestrator calls activities in sequence, then it completes with their results and history records each step", async () => {
    const { runtime } = await setup();
    await runtime.start();
    expect(await runtime.startNew("hello", "i1", "World")).toBe("started");
    const status = await runtime.waitForCompletion("i1");
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toEqual(["Hello, World!", "Hello, again!"]);
    const history = await runtime.getHistory("i1");
    expect(types(history, EventType.TaskScheduled).map((e) => e.EventId)).toEqual([0, 1]);
    expect(types(history, EventType.TaskCompleted)).toHaveLength(2);
  });

  it("when an instance id is already running, then startNew answers exists", async () => {
    const { runtime } = await setup();
    await runtime.start();
    await runtime.startNew("wait-event", "dup", null);
    expect(await runtime.startNew("wait-event", "dup", null)).toBe("exists");
  });

  it("when an activity fails twice under retry options, then the third attempt succeeds after durable retry timers", async () => {
    const { runtime, calls } = await setup();
    await runtime.start();
    await runtime.startNew("retry-flaky", "r1", null);
    const status = await runtime.waitForCompletion("r1");
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toBe("ok after 3");
    expect(calls.get("flaky:r1")).toBe(3);
    const history = await runtime.getHistory("r1");
    expect(types(history, EventType.TaskFailed)).toHaveLength(2);
    expect(types(history, EventType.TimerFired)).toHaveLength(2);
    expect(types(history, EventType.TaskScheduled).map((e) => e.EventId)).toEqual([0, 2, 4]);
  });

  it("when retries are exhausted, then the orchestration fails with the activity's error", async () => {
    const { runtime, calls } = await setup();
    await runtime.start();
    await runtime.startNew("retry-exhausted", "r2", null);
    const status = await runtime.waitForCompletion("r2");
    expect(status.runtimeStatus).toBe("Failed");
    expect(String(status.output)).toContain("the device is on fire");
    expect(calls.get("always:r2")).toBe(3);
  });

  it("when the retry timeout runs out, then the remaining attempts fail without running the activity", async () => {
    const { runtime, calls } = await setup();
    await runtime.start();
    await runtime.startNew("retry-timeout", "rt", null);
    const status = await runtime.waitForCompletion("rt");
    expect(status.runtimeStatus).toBe("Failed");
    expect(calls.get("always:rt")).toBeLessThan(10);
    const history = await runtime.getHistory("rt");
    expect(types(history, EventType.TaskFailed)).toHaveLength(10);
  });

  it("when an activity without retry fails, then the orchestrator can catch the error", async () => {
    const { runtime } = await setup();
    await runtime.start();
    await runtime.startNew("caught-failure", "c1", null);
    const status = await runtime.waitForCompletion("c1");
    expect(status.output).toBe("caught: Error: the device is on fire");
  });

  it("when the orchestrator itself throws, then the instance fails with that error", async () => {
    const { runtime } = await setup();
    await runtime.start();
    await runtime.startNew("throws", "t1", null);
    const status = await runtime.waitForCompletion("t1");
    expect(status.runtimeStatus).toBe("Failed");
    expect(String(status.output)).toContain("orchestrator bug");
  });

  it("when a durable timer is due, then the orchestrator resumes with time advanced past it", async () => {
    const { runtime } = await setup();
    await runtime.start();
    await runtime.startNew("timer", "tm", null);
    const status = await runtime.waitForCompletion("tm");
    expect(status.output as number).toBeGreaterThanOrEqual(40);
    const history = await runtime.getHistory("tm");
    expect(types(history, EventType.TimerCreated)).toHaveLength(1);
    expect(types(history, EventType.TimerFired)).toHaveLength(1);
  });

  it("when an event is raised before the orchestrator waits for it, then it is buffered and delivered", async () => {
    const { runtime, gate } = await setup();
    await runtime.start();
    await runtime.startNew("gate-then-event", "e1", null);
    await eventually(() => runtime.getStatus("e1"), (s) => s?.runtimeStatus === "Running");
    await runtime.raiseEvent("e1", "approval", { by: "admin" });
    await eventually(() => runtime.getHistory("e1"), (h) => types(h, EventType.EventRaised).length === 1);
    gate("e1").open();
    const status = await runtime.waitForCompletion("e1");
    expect(status.output).toEqual({ by: "admin" });
  });

  it("when an event is raised after the orchestrator waits, then it resumes and custom status is visible", async () => {
    const { runtime } = await setup();
    await runtime.start();
    await runtime.startNew("wait-event", "e2", null);
    const waiting = await eventually(() => runtime.getStatus("e2"), (s) => s?.runtimeStatus === "Running");
    expect(waiting?.customStatus).toEqual({ stage: "waiting-for-approval" });
    await runtime.raiseEvent("e2", "approval", "yes");
    const status = await runtime.waitForCompletion("e2");
    expect(status.output).toBe("yes");
    expect(status.customStatus).toEqual({ stage: "approved" });
  });

  it("when an event wins a race against a timer, then the timer is cancelled and never fires", async () => {
    const { runtime } = await setup();
    await runtime.start();
    await runtime.startNew("event-or-timeout", "race1", 60 * 60 * 1000);
    await eventually(() => runtime.getStatus("race1"), (s) => s?.runtimeStatus === "Running");
    await runtime.raiseEvent("race1", "approval", 42);
    const status = await runtime.waitForCompletion("race1");
    expect(status.output).toEqual({ approved: 42 });
    const history = await runtime.getHistory("race1");
    expect(types(history, EventType.TimerCreated)).toHaveLength(1);
    expect(types(history, EventType.TimerFired)).toHaveLength(0);
  });

  it("when the timer wins the race, then the orchestrator takes the timeout path", async () => {
    const { runtime } = await setup();
    await runtime.start();
    await runtime.startNew("event-or-timeout", "race2", 20);
    expect((await runtime.waitForCompletion("race2")).output).toBe("timed-out");
  });

  it("when many activities fan out with Task.all, then all results arrive and concurrency stays bounded", async () => {
    const { runtime, maxRunning } = await setup({ maxConcurrentActivities: 3 });
    await runtime.start();
    await runtime.startNew("fan-out", "f1", 12);
    const status = await runtime.waitForCompletion("f1");
    expect(status.output).toBe(650);
    expect(maxRunning()).toBeLessThanOrEqual(3);
  });

  it("when an orchestrator continues as new, then it restarts with the new input and a fresh history", async () => {
    const { runtime } = await setup();
    await runtime.start();
    await runtime.startNew("count-up", "can", 1);
    const status = await runtime.waitForCompletion("can");
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toBe(3);
    expect(status.input).toBe(3);
    const history = await runtime.getHistory("can");
    expect(types(history, EventType.ExecutionStarted)).toHaveLength(1);
    expect(types(history, EventType.TaskScheduled)).toHaveLength(1);
  });

  it("when a running instance is terminated, then it reports Terminated with the reason", async () => {
    const { runtime } = await setup();
    await runtime.start();
    await runtime.startNew("wait-event", "term", null);
    await eventually(() => runtime.getStatus("term"), (s) => s?.runtimeStatus === "Running");
    await runtime.terminate("term", "operator said so");
    const status = await runtime.waitForCompletion("term");
    expect(status.runtimeStatus).toBe("Terminated");
    expect(status.output).toBe("operator said so");
    await runtime.raiseEvent("term", "approval", "late");
    expect((await runtime.getStatus("term"))?.runtimeStatus).toBe("Terminated");
  });

  it("when a finished instance is purged, then it is gone; a running one is not purged", async () => {
    const { runtime } = await setup();
    await runtime.start();
    await runtime.startNew("hello", "p1", "x");
    await runtime.waitForCompletion("p1");
    await runtime.startNew("wait-event", "p2", null);
    expect(await runtime.purge("p1")).toBe(true);
    expect(await runtime.getStatus("p1")).toBeUndefined();
    expect(await runtime.purge("p2")).toBe(false);
    expect(await runtime.purge("nope")).toBe(false);
  });

  it("when the orchestrator schedules a different activity on replay, then the instance fails as non-deterministic", async () => {
    const { runtime, gate, flags } = await setup();
    await runtime.start();
    await runtime.startNew("changes-its-mind", "nd", null);
    await eventually(() => runtime.getHistory("nd"), (h) => types(h, EventType.TaskScheduled).length === 2);
    flags.nonDeterministic = true;
    gate("nd").open();
    const status = await runtime.waitForCompletion("nd");
    expect(status.runtimeStatus).toBe("Failed");
    expect(String(status.output)).toMatch(/Non-Deterministic workflow detected.*'step-a'.*sequence ID 0.*'step-b'/s);
  });

  it("when the instance or orchestrator is unknown, then the client says so", async () => {
    const { runtime } = await setup();
    await runtime.start();
    await expect(runtime.startNew("no-such", "x", null)).rejects.toMatchObject({ kind: "validation" });
    await expect(runtime.raiseEvent("absent", "e", null)).rejects.toMatchObject({ kind: "not-found" });
    await expect(runtime.terminate("absent", "r")).rejects.toMatchObject({ kind: "not-found" });
    expect(await runtime.getStatus("absent")).toBeUndefined();
  });

  it("when two runtimes share one store, then every step is recorded exactly once", async () => {
    const { runtime, store, registry } = await setup();
    const other = new LocalDurableRuntime({ store, registry });
    runtimes.push(other);
    await runtime.start();
    const ids = Array.from({ length: 10 }, (_, i) => `shared-${i}`);
    await Promise.all(ids.map((id) => runtime.startNew("hello", id, id)));
    await other.start();
    for (const id of ids) {
      expect((await runtime.waitForCompletion(id)).output).toEqual([`Hello, ${id}!`, "Hello, again!"]);
      const history = await runtime.getHistory(id);
      expect(types(history, EventType.TaskCompleted).map((e) => (e as { TaskScheduledId?: number }).TaskScheduledId)).toEqual([0, 1]);
    }
  });

  it(`when ${manyInstances} instances run at once, then every one completes`, async () => {
    const { runtime } = await setup({ maxConcurrentActivities: 8 });
    await runtime.start();
    const ids = Array.from({ length: manyInstances }, (_, i) => `device-${i}`);
    await Promise.all(ids.map((id) => runtime.startNew("fan-out", id, 3)));
    const statuses = await Promise.all(ids.map((id) => runtime.waitForCompletion(id)));
    expect(statuses.every((s) => s.runtimeStatus === "Completed" && s.output === 14)).toBe(true);
  });
});
}
