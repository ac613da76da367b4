import { AppError } from "../core/errors.js";
import { endpoint } from "../http/endpoint.js";
import { json } from "../http/reply.js";
import type { HttpFunctionEntry } from "../registry/types.js";
import { openApiDocument } from "./openapi.js";

/** GET /api/health: 200 when Table and Blob storage answer, else 503 with Retry-After (recovers by itself). */
export const healthRoute: HttpFunctionEntry = {
  name: "health",
  route: "health",
  methods: ["GET"],
  area: "system",
  handler: endpoint({
    auth: "none",
    perAddressLimit: true,
    async handle({ services }) {
      const health = await services.probeStorage();
      if (!health.table || !health.blob) {
        const down = [health.table ? null : "table", health.blob ? null : "blob"].filter((x) => x !== null).join(" and ");
        throw new AppError("unavailable", `Storage does not answer (${down})`, { code: "storage-unavailable", retryAfterSeconds: 5 });
      }
      return json({ status: "ok", storage: "ok", version: services.version });
    },
  }),
};

/** GET /api/openapi.json: the generated description of every route (no auth). */
export function openApiRoute(routes: () => readonly HttpFunctionEntry[]): HttpFunctionEntry {
  return {
    name: "openApi",
    route: "openapi.json",
    methods: ["GET"],
    area: "system",
    handler: endpoint({
      auth: "none",
      perAddressLimit: true,
      async handle({ services }) {
        return json(openApiDocument(routes(), services.version), 200, { "cache-control": "public, max-age=300" });
      },
    }),
  };
}
