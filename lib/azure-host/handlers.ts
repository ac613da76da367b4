import { createRequire } from "node:module";
import type { HttpHandler, InvocationContext, Timer } from "@azure/functions";
import type { ActivityHandler, OrchestrationHandler } from "durable-functions";
import { composeServices } from "../app/compose.js";
import { configureServices } from "../app/container.js";
import { loadSettings } from "../config/settings.js";
import { registry } from "../registry/index.js";

// Loaded on the first invocation, never at cold start: everything the functions need comes in from here.
configureServices(async () => composeServices(loadSettings()));

/**
 * durable-functions' own wrappers (what df.app.orchestration and df.app.activity register), reached
 * without registering: the functions were registered at load from the manifest, by name.
 */
/** An orchestration or activity function as the worker calls it. */
export type DurableFunctionHandler = (triggerInput: unknown, context: InvocationContext) => Promise<unknown>;

const durableInternals = createRequire(import.meta.url) as (id: string) => unknown;
const { createOrchestrator } = durableInternals("durable-functions/lib/src/util/testingUtils.js") as { createOrchestrator: (fn: OrchestrationHandler) => DurableFunctionHandler };
const { wrapActivityHandler } = durableInternals("durable-functions/lib/src/app.js") as { wrapActivityHandler: (fn: ActivityHandler) => DurableFunctionHandler };

function find<T extends { name: string }>(entries: readonly T[], name: string): T {
  const entry = entries.find((e) => e.name === name);
  if (entry === undefined) throw new Error(`Function ${name} is in the manifest but not in the registry: rebuild (npm run build)`);
  return entry;
}

const orchestrators = new Map<string, DurableFunctionHandler>();
const activities = new Map<string, DurableFunctionHandler>();

export function httpHandler(name: string): HttpHandler {
  return find(registry.http, name).handler;
}

export function timerHandler(name: string): (timer: Timer, context: InvocationContext) => Promise<void> {
  return find(registry.timers, name).handler;
}

export function orchestratorHandler(name: string): DurableFunctionHandler {
  let handler = orchestrators.get(name);
  if (handler === undefined) {
    handler = createOrchestrator(find(registry.orchestrators, name).handler);
    orchestrators.set(name, handler);
  }
  return handler;
}

export function activityHandler(name: string): DurableFunctionHandler {
  let handler = activities.get(name);
  if (handler === undefined) {
    handler = wrapActivityHandler(find(registry.activities, name).handler);
    activities.set(name, handler);
  }
  return handler;
}
