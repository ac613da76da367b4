import { AppError } from "../core/errors.js";
import { changeFlags } from "../http/change-flags.js";
import { endpoint } from "../http/endpoint.js";
import { json } from "../http/reply.js";
import { UPLOAD_ORCHESTRATOR, uploadInstanceId, type UploadPublishInput } from "../packages/upload-durable-entries.js";
import type { UploadSession } from "../packages/upload-session.js";
import { UPLOAD_BLOCK_BYTES } from "../packages/upload-session-service.js";
import type { HttpFunctionEntry } from "../registry/types.js";

/** A session as admins see it (its blob name stays internal). */
function view(s: UploadSession): Record<string, unknown> {
  return {
    uploadId: s.uploadId,
    status: s.status,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    expiresAt: s.expiresAt,
    force: s.force,
    ...(s.outcome === undefined ? {} : { package: s.outcome }),
    ...(s.problem === undefined ? {} : { problem: s.problem }),
  };
}

const location = (uploadId: string): Record<string, string> => ({ location: `/api/admin/v1/uploads/${uploadId}` });

const create: HttpFunctionEntry = {
  name: "adminCreateUpload",
  route: "admin/v1/uploads",
  methods: ["POST"],
  area: "admin",
  handler: endpoint({
    auth: "admin",
    audit: { target: () => "uploads", summary: () => "upload session created" },
    async handle({ services, auth, auditNote }) {
      const { session, uploadUrl } = await services.uploads.create(auth.realmId);
      auditNote.target = `uploads/${session.uploadId}`;
      return json({ ...view(session), uploadUrl, blockBytes: UPLOAD_BLOCK_BYTES, maxBytes: services.uploads.limitBytes }, 201, location(session.uploadId));
    },
  }),
};

const get: HttpFunctionEntry = {
  name: "adminGetUpload",
  route: "admin/v1/uploads/{uploadId}",
  methods: ["GET"],
  area: "admin",
  handler: endpoint({
    auth: "reader",
    async handle({ services, auth, params, request }) {
      const session = await services.uploads.get(auth.realmId, params["uploadId"] ?? "");
      const blocks = request.query.get("blocks");
      if (blocks !== null && blocks !== "true") throw new AppError("validation", "blocks must be true when given", { code: "invalid-query" });
      const staged = blocks === "true" ? { stagedBlocks: await services.uploads.stagedBlocks(session) } : {};
      return json({ ...view(session), ...staged });
    },
  }),
};

const publish: HttpFunctionEntry = {
  name: "adminPublishUpload",
  route: "admin/v1/uploads/{uploadId}/publish",
  methods: ["POST"],
  area: "admin",
  durableClient: true,
  handler: endpoint({
    auth: "admin",
    audit: { target: ({ params }) => `uploads/${(params["uploadId"] ?? "").toLowerCase()}`, summary: () => "upload handed to publishing" },
    async handle({ services, auth, params, request, invocation, auditNote }) {
      const flags = changeFlags(request);
      if (flags.force) auditNote.summary = "upload handed to publishing with force (impact check skipped)";
      if (flags.dryRun) throw new AppError("validation", "An upload session cannot be published as a dry run; PUT the package with ?dryRun=true to see its impact", { code: "dry-run-unsupported" });
      const { session, started } = await services.uploads.beginPublish(auth.realmId, params["uploadId"] ?? "", flags.force);
      if (started) {
        const input: UploadPublishInput = { realmId: auth.realmId, uploadId: session.uploadId };
        try {
          await services.orchestrations(invocation).startNew(UPLOAD_ORCHESTRATOR, uploadInstanceId(session.uploadId), input);
        } catch (error) {
          await services.uploads.revertToPending(auth.realmId, session.uploadId);
          throw error;
        }
      }
      return json(view(session), session.status === "processing" ? 202 : 200, location(session.uploadId));
    },
  }),
};

export const adminUploadRoutes: HttpFunctionEntry[] = [create, get, publish];
