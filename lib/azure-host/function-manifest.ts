import { readFileSync } from "node:fs";
import { hostRouteTemplate } from "../registry/host-rules.js";
import type { Area, FunctionRegistry, HttpMethod } from "../registry/types.js";

/**
 * What the Functions host must know of every function at load, and nothing else: written at build time
 * from the registry (npm run build) so a cold start registers functions without importing their code.
 */
export interface FunctionManifest {
  http: { name: string; route: string; methods: HttpMethod[]; area: Area; durableClient: boolean }[];
  timers: { name: string; scheduleSetting: string; durableClient: boolean }[];
  orchestrators: string[];
  activities: string[];
}

/** The manifest of a registry; HTTP routes are the templates the host receives. */
export function manifestOf(registry: FunctionRegistry): FunctionManifest {
  return {
    http: registry.http.map((e) => ({ name: e.name, route: hostRouteTemplate(e), methods: e.methods, area: e.area, durableClient: e.durableClient === true })),
    timers: registry.timers.map((e) => ({ name: e.name, scheduleSetting: e.scheduleSetting, durableClient: e.durableClient === true })),
    orchestrators: registry.orchestrators.map((e) => e.name),
    activities: registry.activities.map((e) => e.name),
  };
}

/** Where the build writes the manifest: beside the entry points (dist/functions), which "main" never matches (.json). */
export const MANIFEST_URL = new URL("../../functions/function-manifest.json", import.meta.url);

let loaded: FunctionManifest | undefined;

/** The manifest the build wrote; read once. */
export function readManifest(): FunctionManifest {
  loaded ??= JSON.parse(readFileSync(MANIFEST_URL, "utf8")) as FunctionManifest;
  return loaded;
}
