import { z } from "zod";
import { endpoint } from "../http/endpoint.js";
import { json } from "../http/reply.js";
import { errorFields } from "../telemetry/logger.js";
import { PASSPHRASE_MAX_CHARS, PASSPHRASE_MIN_CHARS, type PassphraseStatus } from "../realms/branchcache-passphrase-store.js";
import type { HttpFunctionEntry } from "../registry/types.js";

// Lengths are checked again by the store (in characters); the schema only bounds the input.
const body = z.object({ passphrase: z.string().min(PASSPHRASE_MIN_CHARS).max(PASSPHRASE_MAX_CHARS * 2) }).strict();

const view = (status: PassphraseStatus) => ({ set: status.set, changedAt: status.changedAt ?? null });

const putPassphrase: HttpFunctionEntry = {
  name: "adminPutBranchCache",
  route: "admin/v1/branchcache",
  methods: ["PUT"],
  area: "admin",
  handler: endpoint({
    auth: "admin",
    audit: { target: () => "branchcache", summary: () => "passphrase changed" },
    body,
    async handle({ services, auth, body, log }) {
      const status = await services.branchCache.set(auth.realmId, body.passphrase, (error) =>
        log.log("error", "branchcache.listener-failed", { realmId: auth.realmId, ...errorFields(error) }),
      );
      return json(view(status));
    },
  }),
};

const getPassphrase: HttpFunctionEntry = {
  name: "adminGetBranchCache",
  route: "admin/v1/branchcache",
  methods: ["GET"],
  area: "admin",
  handler: endpoint({
    auth: "reader",
    async handle({ services, auth }) {
      return json(view(await services.branchCache.status(auth.realmId)));
    },
  }),
};

/** PUT and GET /api/admin/v1/branchcache: the realm's BranchCache passphrase, set but never shown. */
export const adminBranchCacheRoutes: HttpFunctionEntry[] = [putPassphrase, getPassphrase];
