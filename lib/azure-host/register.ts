import azureFunctions from "@azure/functions";
import type { Area } from "../registry/types.js";
import { readManifest } from "./function-manifest.js";

// Only @azure/functions and the build's manifest load at cold start (the worker imports every entry
// point on each cold start); a function's code, the SDK clients and durable-functions load on its first call.
const { app, input, trigger } = azureFunctions;

// Package uploads stream (never buffered whole), so the worker must hand bodies over as streams.
app.setup({ enableHttpStream: true });

let loading: Promise<typeof import("./handlers.js")> | undefined;
const handlers = (): Promise<typeof import("./handlers.js")> => (loading ??= import("./handlers.js"));

/** The input binding df.input.durableClient() declares; df.getClient finds it by its type. */
const durableClient = () => [input.generic({ type: "durableClient" })];

/** Registers the HTTP functions of one area with the Azure Functions host. */
export function registerHttpArea(area: Area): void {
  for (const entry of readManifest().http.filter((e) => e.area === area)) {
    app.http(entry.name, {
      route: entry.route,
      methods: entry.methods,
      authLevel: "anonymous",
      handler: async (request, context) => (await handlers()).httpHandler(entry.name)(request, context),
      ...(entry.durableClient ? { extraInputs: durableClient() } : {}),
    });
  }
}

/** Registers every timer; the schedule is the %SETTING% binding expression. */
export function registerTimers(): void {
  for (const entry of readManifest().timers) {
    app.timer(entry.name, {
      schedule: `%${entry.scheduleSetting}%`,
      handler: async (timer, context) => (await handlers()).timerHandler(entry.name)(timer, context),
      ...(entry.durableClient ? { extraInputs: durableClient() } : {}),
    });
  }
}

/** Registers every orchestrator and activity with the triggers df.app.orchestration and df.app.activity use. */
export function registerDurable(): void {
  const manifest = readManifest();
  for (const name of manifest.orchestrators) {
    app.generic(name, {
      trigger: trigger.generic({ type: "orchestrationTrigger" }),
      handler: async (triggerInput: unknown, context) => (await handlers()).orchestratorHandler(name)(triggerInput, context),
    });
  }
  for (const name of manifest.activities) {
    app.generic(name, {
      trigger: trigger.generic({ type: "activityTrigger" }),
      handler: async (triggerInput: unknown, context) => (await handlers()).activityHandler(name)(triggerInput, context),
    });
  }
}
