import { createRequire } from "node:module";
import type { HttpHandler, InvocationContext, Timer } from "@azure/functions";
import type { ActivityHandler, OrchestrationHandler } from "durable-functions";
import { readEnvironment } from "../config/environment.js";
import { registry } from "../registry/index.js";
import { jsonLogger } from "../telemetry/logger.js";
import { configureAzureHost, guardHttp, guardTrigger } from "./settings-guard.js";

// Loaded on the first invocation, never at cold start: everything the functions need comes in from here.
// Settings are checked once, as this module loads: a bad one is logged by name and every invocation fails with it (HTTP: 503).
const settings = configureAzureHost(readEnvironment(), jsonLogger());

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
  return guardHttp(settings, find(registry.http, name).handler);
}

export function timerHandler(name: string): (timer: Timer, context: InvocationContext) => Promise<void> {
  return guardTrigger(settings, find(registry.timers, name).handler);
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
    handler = wrapActivityHandler(guardTrigger(settings, find(registry.activities, name).handler));
    activities.set(name, handler);
  }
  return handler;
}
