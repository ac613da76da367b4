import { AppError } from "../core/errors.js";
import { endpoint } from "../http/endpoint.js";
import { Router } from "../http/router.js";
import type { HttpFunctionEntry, HttpMethod } from "./types.js";

export const ALL_METHODS: HttpMethod[] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"];

/** Builds the router over the registered routes (the local host and the catch-all share it). */
export function routerFor(entries: readonly HttpFunctionEntry[]): Router<HttpFunctionEntry> {
  const router = new Router<HttpFunctionEntry>();
  for (const entry of entries) router.add(entry.route, entry.methods, entry);
  return router;
}

/**
 * The lowest-precedence route "{*path}": under Azure Functions, requests no other function takes land
 * here and get 404 or 405 problem+json, exactly as the local host answers them.
 */
export function notFoundEntry(router: Router<HttpFunctionEntry>): HttpFunctionEntry {
  return {
    name: "notFound",
    route: "{*path}",
    methods: ALL_METHODS,
    area: "system",
    handler: endpoint({
      auth: "none",
      async handle({ request }) {
        const path = new URL(request.url).pathname.replace(/^\/api(\/|$)/, "");
        const result = router.match(request.method, path);
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
