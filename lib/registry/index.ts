import { healthRoute } from "../api/system-routes.js";
import { notFoundEntry, routerFor } from "./not-found.js";
import type { FunctionRegistry, HttpFunctionEntry } from "./types.js";

const routes: HttpFunctionEntry[] = [healthRoute];

/** Every function of the app, declared once; both hosts mount exactly this. */
export const registry: FunctionRegistry = {
  http: [...routes, notFoundEntry(routerFor(routes))],
  timers: [],
  orchestrators: [],
  activities: [],
};
