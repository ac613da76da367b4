import { app } from "../registry/azure-functions.js";
import * as df from "durable-functions";
import { readEnvironment } from "../config/environment.js";
import { hostRouteTemplate } from "../registry/host-rules.js";
import { registry } from "../registry/index.js";
import type { Area, HttpFunctionEntry, HttpHandler } from "../registry/types.js";
import { jsonLogger } from "../telemetry/logger.js";
import { configureAzureHost, guardHttp, guardTrigger } from "./settings-guard.js";

// Package uploads stream (never buffered whole), so the worker must hand bodies over as streams.
app.setup({ enableHttpStream: true });
// Settings are checked once per process, here: a bad one is logged by name and every invocation fails with it (HTTP: 503).
const settings = configureAzureHost(readEnvironment(), jsonLogger());

/** The handler the host gets for an HTTP function (the one passed to app.http). */
export function httpHandlerFor(entry: HttpFunctionEntry): HttpHandler {
  return guardHttp(settings, entry.handler);
}

/** Registers the registry's HTTP functions of one area with the Azure Functions host. */
export function registerHttpArea(area: Area): void {
  for (const entry of registry.http.filter((e) => e.area === area)) {
    app.http(entry.name, {
      route: hostRouteTemplate(entry),
      methods: entry.methods,
      authLevel: "anonymous",
      handler: httpHandlerFor(entry),
      ...(entry.durableClient === true ? { extraInputs: [df.input.durableClient()] } : {}),
    });
  }
}

/** Registers every timer of the registry; the schedule is the %SETTING% binding expression. */
export function registerTimers(): void {
  for (const entry of registry.timers) {
    app.timer(entry.name, {
      schedule: `%${entry.scheduleSetting}%`,
      handler: guardTrigger(settings, entry.handler),
      ...(entry.durableClient === true ? { extraInputs: [df.input.durableClient()] } : {}),
    });
  }
}

/** Registers every orchestrator and activity of the registry with durable-functions. */
export function registerDurable(): void {
  for (const entry of registry.orchestrators) df.app.orchestration(entry.name, entry.handler);
  for (const entry of registry.activities) df.app.activity(entry.name, { handler: guardTrigger(settings, entry.handler) });
}
