import { app } from "../registry/azure-functions.js";
import * as df from "durable-functions";
import { composeServices } from "../app/compose.js";
import { configureServices } from "../app/container.js";
import { loadSettings } from "../config/settings.js";
import { hostRouteTemplate } from "../registry/host-rules.js";
import { registry } from "../registry/index.js";
import type { Area } from "../registry/types.js";

// Package uploads stream (never buffered whole), so the worker must hand bodies over as streams.
app.setup({ enableHttpStream: true });
configureServices(async () => composeServices(loadSettings()));

/** Registers the registry's HTTP functions of one area with the Azure Functions host. */
export function registerHttpArea(area: Area): void {
  for (const entry of registry.http.filter((e) => e.area === area)) {
    app.http(entry.name, {
      route: hostRouteTemplate(entry),
      methods: entry.methods,
      authLevel: "anonymous",
      handler: entry.handler,
      ...(entry.durableClient === true ? { extraInputs: [df.input.durableClient()] } : {}),
    });
  }
}

/** Registers every timer of the registry; the schedule is the %SETTING% binding expression. */
export function registerTimers(): void {
  for (const entry of registry.timers) {
    app.timer(entry.name, {
      schedule: `%${entry.scheduleSetting}%`,
      handler: entry.handler,
      ...(entry.durableClient === true ? { extraInputs: [df.input.durableClient()] } : {}),
    });
  }
}

/** Registers every orchestrator and activity of the registry with durable-functions. */
export function registerDurable(): void {
  for (const entry of registry.orchestrators) df.app.orchestration(entry.name, entry.handler);
  for (const entry of registry.activities) df.app.activity(entry.name, { handler: entry.handler });
}
