import * as df from "durable-functions";
import type { OrchestrationContext } from "durable-functions";
import { DurableRegistry } from "../../../lib/durable/registry.js";

/** A gate an activity can wait on, opened by the test. */
export class Gate {
  private release!: () => void;
  readonly opened = new Promise<void>((r) => (this.release = r));
  open(): void {
    this.release();
  }
}

/** Test orchestrations written exactly as they would be for df.app.orchestration. */
export function testRegistry() {
  const calls = new Map<string, number>();
  const count = (key: string): number => {
    const n = (calls.get(key) ?? 0) + 1;
    calls.set(key, n);
    return n;
  };
  const gates = new Map<string, Gate>();
  const gate = (key: string): Gate => {
    let g = gates.get(key);
    if (g === undefined) gates.set(key, (g = new Gate()));
    return g;
  };
  const flags = { nonDeterministic: false };
  let running = 0;
  let maxRunning = 0;

  const registry = new DurableRegistry()
    .activity("greet", (input) => `Hello, ${String(input)}!`)
    .activity("flaky", (input) => {
      const n = count(`flaky:${String(input)}`);
      if (n < 3) throw new Error(`flaky attempt ${n} failed`);
      return `ok after ${n}`;
    })
    .activity("always-fails", (input) => {
      count(`always:${String(input)}`);
      throw new Error("the device is on fire");
    })
    .activity("square", async (input) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 2));
      running--;
      return (input as number) * (input as number);
    })
    .activity("wait-gate", async (input) => {
      await gate(String(input)).opened;
      return "released";
    })
    .activity("step-a", () => "a")
    .activity("step-b", () => "b")
    .orchestration("hello", function* (context: OrchestrationContext) {
      const name = context.df.getInput<string>();
      const first: string = yield context.df.callActivity("greet", name);
      const second: string = yield context.df.callActivity("greet", "again");
      return [first, second];
    })
    .orchestration("retry-flaky", function* (context: OrchestrationContext) {
      const options = new df.RetryOptions(10, 5);
      options.backoffCoefficient = 1.5;
      const result: unknown = yield context.df.callActivityWithRetry("flaky", options, context.df.instanceId);
      return result;
    })
    .orchestration("retry-exhausted", function* (context: OrchestrationContext) {
      const result: unknown = yield context.df.callActivityWithRetry("always-fails", new df.RetryOptions(5, 3), context.df.instanceId);
      return result;
    })
    .orchestration("retry-timeout", function* (context: OrchestrationContext) {
      const options = new df.RetryOptions(20, 10);
      options.retryTimeoutInMilliseconds = 30;
      const result: unknown = yield context.df.callActivityWithRetry("always-fails", options, context.df.instanceId);
      return result;
    })
    .orchestration("caught-failure", function* (context: OrchestrationContext) {
      try {
        yield context.df.callActivity("always-fails", context.df.instanceId);
        return "not reached";
      } catch (e) {
        return `caught: ${(e as Error).message}`;
      }
    })
    .orchestration("timer", function* (context: OrchestrationContext) {
      const start = context.df.currentUtcDateTime.getTime();
      yield context.df.createTimer(new Date(start + 40));
      return context.df.currentUtcDateTime.getTime() - start;
    })
    .orchestration("gate-then-event", function* (context: OrchestrationContext) {
      yield context.df.callActivity("wait-gate", context.df.instanceId);
      const data: unknown = yield context.df.waitForExternalEvent("approval");
      return data;
    })
    .orchestration("wait-event", function* (context: OrchestrationContext) {
      context.df.setCustomStatus({ stage: "waiting-for-approval" });
      const data: unknown = yield context.df.waitForExternalEvent("approval");
      context.df.setCustomStatus({ stage: "approved" });
      return data;
    })
    .orchestration("event-or-timeout", function* (context: OrchestrationContext) {
      const timeoutMs = context.df.getInput<number>();
      const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + timeoutMs));
      const event = context.df.waitForExternalEvent("approval");
      const winner = yield context.df.Task.any([event, timer]);
      if (winner === event) {
        timer.cancel();
        return { approved: event.result };
      }
      return "timed-out";
    })
    .orchestration("fan-out", function* (context: OrchestrationContext) {
      const n = context.df.getInput<number>();
      const tasks = Array.from({ length: n }, (_, i) => context.df.callActivity("square", i + 1));
      const results = (yield context.df.Task.all(tasks)) as number[];
      return results.reduce((a, b) => a + b, 0);
    })
    .orchestration("count-up", function* (context: OrchestrationContext) {
      const n = context.df.getInput<number>();
      yield context.df.callActivity("greet", n);
      if (n < 3) {
        context.df.continueAsNew(n + 1);
        return undefined;
      }
      return n;
    })
    .orchestration("changes-its-mind", function* (context: OrchestrationContext) {
      // Reads a flag outside the history: the test flips it to simulate a code change mid-flight.
      const first = flags.nonDeterministic ? "step-b" : "step-a";
      yield context.df.callActivity(first, null);
      yield context.df.callActivity("wait-gate", context.df.instanceId);
      return "done";
    })
    .orchestration("throws", function* () {
      yield* [];
      throw new Error("orchestrator bug");
    });

  return { registry, calls, gate, flags, maxRunning: () => maxRunning };
}
