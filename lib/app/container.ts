import { AsyncLocalStorage } from "node:async_hooks";
import type { AppServices } from "./services.js";

const scoped = new AsyncLocalStorage<AppServices>();
let factory: (() => Promise<AppServices>) | undefined;
let global: Promise<AppServices> | undefined;

/** Sets how the process-wide services are built (the Azure host does this once at load). */
export function configureServices(build: () => Promise<AppServices>): void {
  factory = build;
  global = undefined;
}

/**
 * The services for the current invocation: the local host's scope when running under it (several
 * local hosts may share one process in tests), else the process-wide ones, built once.
 */
export async function currentServices(): Promise<AppServices> {
  const local = scoped.getStore();
  if (local !== undefined) return local;
  if (factory === undefined) throw new Error("services are not configured");
  if (global === undefined) {
    global = factory();
    global.catch(() => {
      global = undefined;
    });
  }
  return await global;
}

/** Runs `fn` with `services` as the current services (used by the local host per request). */
export function withServices<T>(services: AppServices, fn: () => T): T {
  return scoped.run(services, fn);
}
