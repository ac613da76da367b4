import { z } from "zod";
import { parsePemBundle } from "../auth/device-certificate.js";
import { validationError } from "../core/errors.js";
import { isGuid } from "../auth/guid.js";
import { TABLE_STRING_MAX_CHARS } from "../storage/limits.js";

// The bundle is stored as one Table string property of the realm record.
const MAX_CA_PEM_CHARS = TABLE_STRING_MAX_CHARS;

/** The body of `PUT /api/operator/v1/realms/{tenantId}`: what an operator decides about a customer tenant. */
export const realmInputSchema = z
  .object({
    name: z.string().trim().min(1).max(256),
    deviceTrust: z.enum(["graph", "device-ca", "pinned"]),
    deviceCaPem: z.string().max(MAX_CA_PEM_CHARS).optional(),
    noGraph: z.boolean(),
  })
  .strict()
  .superRefine((input, ctx) => {
    const pem = input.deviceCaPem;
    if (input.deviceTrust === "device-ca" && (pem === undefined || parsePemBundle(pem).length === 0)) {
      ctx.addIssue({ code: "custom", path: ["deviceCaPem"], message: 'deviceTrust "device-ca" needs deviceCaPem with at least one certificate' });
    }
    if (input.deviceTrust !== "device-ca" && pem !== undefined) {
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

export type RealmInput = z.infer<typeof realmInputSchema>;

/** The tenant id of a path, lowercase; throws AppError validation when it is not a GUID. */
export function tenantIdParam(raw: string | undefined): string {
  if (!isGuid(raw)) throw validationError("The tenant id must be a GUID", "invalid-tenant-id");
  return raw.toLowerCase();
}
