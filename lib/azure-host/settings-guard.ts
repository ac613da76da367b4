import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { composeServices } from "../app/compose.js";
import { configureServices } from "../app/container.js";
import { parseSettings, SettingsError, useSettings, type Settings } from "../config/settings.js";
import { AppError } from "../core/errors.js";
import { problemResponse } from "../http/problem.js";
import { requestIdFrom } from "../http/request-id.js";
import type { Logger } from "../telemetry/logger.js";

/** The settings as the Functions host gave them: valid, or the reason they are not. */
export type SettingsCheck = { ok: true; settings: Settings } | { ok: false; error: SettingsError };

/**
 * Validates the settings once, at module load of the Functions host entry points, and makes them the
 * process's services' settings. A bad or missing setting is logged here, once, by name and reason
 * (zod's reasons never carry the value); every later request answers 503 configuration-invalid.
 */
export function configureAzureHost(env: Record<string, string | undefined>, log: Logger): SettingsCheck {
  let check: SettingsCheck;
  try {
    check = { ok: true, settings: parseSettings(env) };
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    log.log("error", "settings.invalid", { settings: error.settings, reason: error.message });
    check = { ok: false, error };
  }
  if (check.ok) {
    const settings = check.settings;
    useSettings(settings);
    configureServices(() => composeServices(settings, { log }));
  } else {
    const failure = check.error;
    configureServices(() => Promise.reject(failure));
  }
  return check;
}

/** 503 problem+json `configuration-invalid`, with the request's id; the setting names stay in the log. */
export function configurationInvalid(request: Pick<HttpRequest, "headers">): HttpResponseInit {
  const requestId = requestIdFrom(request.headers.get("x-request-id"));
  const error = new AppError("unavailable", "The service is not configured correctly; the operators are told which setting in the host's log", {
    code: "configuration-invalid",
  });
  return problemResponse(error, requestId, { "x-request-id": requestId });
}

/** The handler the host gets for an HTTP function: the function's own, or with bad settings one that answers 503. */
export function guardHttp<C>(check: SettingsCheck, handler: (request: HttpRequest, context: C) => Promise<HttpResponseInit>) {
  if (check.ok) return handler;
  return (request: HttpRequest): Promise<HttpResponseInit> => Promise.resolve(configurationInvalid(request));
}

/** The handler the host gets for a timer or activity: the function's own, or with bad settings one that fails with the logged reason. */
export function guardTrigger<A extends unknown[], R>(check: SettingsCheck, handler: (...args: A) => R): (...args: A) => R {
  if (check.ok) return handler;
  const failure = check.error;
  return () => {
    throw failure;
  };
}
