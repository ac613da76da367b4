import { AppError } from "../core/errors.js";
import { endpoint } from "../http/endpoint.js";
import { json } from "../http/reply.js";
import type { HttpFunctionEntry } from "../registry/types.js";

/** GET /api/health: 200 when Table and Blob storage answer, else 503 with Retry-After (recovers by itself). */
export const healthRoute: HttpFunctionEntry = {
  name: "health",
  route: "health",
  methods: ["GET"],
  area: "system",
  handler: endpoint({
    auth: "none",
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
