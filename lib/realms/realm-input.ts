import { z } from "zod";
import { parsePemBundle } from "../auth/device-certificate.js";
import { validationError } from "../core/errors.js";
import { isGuid } from "../auth/guid.js";
import type { Settings } from "../config/settings.js";
import { TABLE_STRING_MAX_CHARS } from "../storage/limits.js";

// The bundle is stored as one Table string property of the realm record.
const MAX_CA_PEM_CHARS = TABLE_STRING_MAX_CHARS;

/**
 * The body of `PUT /api/operator/v1/realms/{tenantId}`: what an operator decides about a customer tenant.
 * Without deviceTrust the deployment picks one that works (see resolveRealmInput).
 */
export const realmInputSchema = z
  .object({
    name: z.string().trim().min(1).max(256),
    deviceTrust: z.enum(["graph", "device-ca", "pinned"]).optional(),
    deviceCaPem: z.string().max(MAX_CA_PEM_CHARS).optional(),
    noGraph: z.boolean(),
  })
  .strict()
  .superRefine((input, ctx) => {
    const pem = input.deviceCaPem;
    if (input.deviceTrust === "device-ca" && (pem === undefined || parsePemBundle(pem).length === 0)) {
      ctx.addIssue({ code: "custom", path: ["deviceCaPem"], message: 'deviceTrust "device-ca" needs deviceCaPem with at least one certificate' });
    }
    if (input.deviceTrust !== undefined && input.deviceTrust !== "device-ca" && pem !== undefined) {
      ctx.addIssue({ code: "custom", path: ["deviceCaPem"], message: 'deviceCaPem applies to deviceTrust "device-ca" only' });
    }
    // Only public certificates belong in a realm record: a private key pasted by mistake is refused, never stored.
    if (pem !== undefined && /PRIVATE KEY/.test(pem)) {
      ctx.addIssue({ code: "custom", path: ["deviceCaPem"], message: "deviceCaPem must hold certificates only, no private key" });
    }
    if (input.deviceTrust === "graph" && input.noGraph) {
      ctx.addIssue({ code: "custom", path: ["deviceTrust"], message: 'deviceTrust "graph" needs Graph; a noGraph realm uses "device-ca" or "pinned"' });
    }
  });

/** A realm body as sent: deviceTrust may be left to the deployment. */
export type RealmRequest = z.infer<typeof realmInputSchema>;

/** A realm body with its device trust decided. */
export type RealmInput = RealmRequest & { deviceTrust: NonNullable<RealmRequest["deviceTrust"]> };

/** What the deployment offers for device trust. */
export interface DeviceTrustOptions {
  /** True when devices can be checked against a directory's alternativeSecurityIds (a Graph app, or the local host's directory). */
  graphAvailable: boolean;
}

/**
 * Graph device trust works with the Graph app registration, or on the local host, whose dev identity
 * provider seeds the local directory that plays Graph; an Azure deployment without the app has neither.
 */
export function deviceTrustOptions(settings: Pick<Settings, "RJ_GRAPH_APP_CLIENT_ID" | "RJ_DEV_IDENTITY_PROVIDER">): DeviceTrustOptions {
  return { graphAvailable: settings.RJ_GRAPH_APP_CLIENT_ID !== undefined || settings.RJ_DEV_IDENTITY_PROVIDER };
}

/**
 * Decides the realm's device trust: the one asked for, else "device-ca" with a CA bundle, "graph" where
 * Graph can check devices, and "pinned" otherwise. Refuses "graph" (400 graph-not-configured) on a
 * deployment without a Graph app, where no device could ever be trusted.
 */
export function resolveRealmInput(request: RealmRequest, options: DeviceTrustOptions): RealmInput {
  const graphUsable = options.graphAvailable && !request.noGraph;
  if (request.deviceTrust === "graph" && !options.graphAvailable) {
    throw validationError(
      'deviceTrust "graph" needs a Graph app registration (RJ_GRAPH_APP_CLIENT_ID), which this deployment does not have; use "device-ca" or "pinned"',
      "graph-not-configured",
    );
  }
  const deviceTrust = request.deviceTrust ?? (request.deviceCaPem !== undefined ? "device-ca" : graphUsable ? "graph" : "pinned");
  return { ...request, deviceTrust };
}

/** The tenant id of a path, lowercase; throws AppError validation when it is not a GUID. */
export function tenantIdParam(raw: string | undefined): string {
  if (!isGuid(raw)) throw validationError("The tenant id must be a GUID", "invalid-tenant-id");
  return raw.toLowerCase();
}
