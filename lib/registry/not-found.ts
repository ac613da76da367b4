import { AppError } from "../core/errors.js";
import { endpoint } from "../http/endpoint.js";
import { Router } from "../http/router.js";
import { hostRouteTemplate } from "./host-rules.js";
import type { HttpFunctionEntry, HttpMethod } from "./types.js";

export const ALL_METHODS: HttpMethod[] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"];

/**
 * The catch-all's name. The host tries functions in name order (ordinal, case-insensitive, i.e. compared
 * upper-cased) and "_" sorts after every letter and digit there, so this name comes after any other
 * realistic one; the registry tests and the local host's start check that it really is last.
 */
export const NOT_FOUND_FUNCTION = "z_notFound";

/** The host's routing over the given functions, by their host templates (the local host and the catch-all share it). */
export function routerFor(entries: readonly HttpFunctionEntry[]): Router<HttpFunctionEntry> {
  const router = new Router<HttpFunctionEntry>();
  for (const entry of entries) router.add(entry.name, hostRouteTemplate(entry), entry.methods, entry);
  return router;
}

/**
 * The lowest-precedence route "api/{*path}": requests no other function takes land here and get 404 or
 * 405 problem+json, under Azure Functions and on the local host alike.
 */
export function notFoundEntry(router: Router<HttpFunctionEntry>): HttpFunctionEntry {
  return {
    name: NOT_FOUND_FUNCTION,
    route: "{*path}",
    methods: ALL_METHODS,
    area: "system",
    handler: endpoint({
      auth: "none",
      async handle({ request }) {
        const result = router.match(request.method, new URL(request.url).pathname);
        if (result.kind === "method-not-allowed") {
          throw new AppError("method-not-allowed", `${request.method} is not allowed here; use ${result.allowed.join(", ")}`, {
            extensions: { allow: result.allowed },
          });
        }
        throw new AppError("not-found", "No such route");
      },
    }),
  };
}
