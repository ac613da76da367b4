import { z } from "zod";
import type { AppServices } from "../app/services.js";
import { AppError } from "../core/errors.js";
import { endpoint } from "../http/endpoint.js";
import { json } from "../http/reply.js";
import type { HttpFunctionEntry } from "../registry/types.js";

/** The dev tools, or 404 as if the route did not exist (always so in Azure: the setting is off there). */
function devTools(services: AppServices): NonNullable<AppServices["dev"]> {
  if (services.dev === undefined) throw new AppError("not-found", "No such route");
  return services.dev;
}

const metadata: HttpFunctionEntry = {
  name: "devIdpMetadata",
  route: "dev/idp/{tenantId}/v2.0/.well-known/openid-configuration",
  methods: ["GET"],
  area: "dev",
  handler: endpoint({
    auth: "none",
    async handle({ services, params }) {
      const doc = devTools(services).idp.openIdConfiguration(params["tenantId"] ?? "");
      if (doc === undefined) throw new AppError("not-found", "Unknown tenant");
      return json(doc, 200, { "cache-control": "public, max-age=3600" });
    },
  }),
};

const keys: HttpFunctionEntry = {
  name: "devIdpKeys",
  route: "dev/idp/discovery/v2.0/keys",
  methods: ["GET"],
  area: "dev",
  handler: endpoint({
    auth: "none",
    async handle({ services }) {
      return json(devTools(services).idp.jwks(), 200, { "cache-control": "public, max-age=3600" });
    },
  }),
};

const escrowBody = z
  .object({
    deviceId: z.uuid(),
    keyId: z.string().min(1).max(128),
    tenantId: z.uuid(),
  })
  .strict();

/** Plays Entra ID's part at home: records that a BitLocker recovery key (metadata only) reached the directory. */
const bitlockerKeys: HttpFunctionEntry = {
  name: "devEntraBitlockerKeys",
  route: "dev/entra/bitlocker-keys",
  methods: ["POST"],
  area: "dev",
  handler: endpoint({
    auth: "none",
    body: escrowBody,
    async handle({ services, body }) {
      devTools(services);
      const realmId = body.tenantId.toLowerCase();
      if ((await services.realms.get(realmId)) === undefined) throw new AppError("not-found", "Unknown tenant");
      await services.localDirectory.recordBitlockerKey(realmId, body.deviceId.toLowerCase(), body.keyId);
      return json({ recorded: true }, 201);
    },
  }),
};

export const devRoutes: HttpFunctionEntry[] = [metadata, keys, bitlockerKeys];
