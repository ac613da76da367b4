import { z } from "zod";
import { audienceOf } from "../agent-config/audience.js";
import { effectivePolicyFor } from "../agent-config/effective-policy.js";
import { publishDeps } from "../app/publish-deps.js";
import { AppError } from "../core/errors.js";
import { param } from "../http/audit-declaration.js";
import { changeFlags } from "../http/change-flags.js";
import { endpoint } from "../http/endpoint.js";
import { empty, json } from "../http/reply.js";
import type { CatalogueRecord } from "../packages/catalogue-record.js";
import { publishImpactGuard, PublishDryRun } from "../packages/publish-impact.js";
import { publishUpload } from "../packages/publish-upload.js";
import type { HttpFunctionEntry } from "../registry/types.js";
import { deviceIdParam } from "./device-id-param.js";

/** A catalogue record as admins see it (blob names stay internal). */
function view(r: CatalogueRecord): Record<string, unknown> {
  const { realmId: _realm, blobName: _blob, contentInfo, ...rest } = r;
  return { ...rest, contentInfo: { v1: contentInfo.v1 !== undefined, v2: contentInfo.v2 !== undefined } };
}

/** The assignment's package, target and intent for the audit log (the service validates the body itself). */
function assignmentSummary(body: unknown): string {
  if (typeof body !== "object" || body === null) return "assignment set";
  const b = body as Record<string, unknown>;
  const target = typeof b["target"] === "object" && b["target"] !== null ? JSON.stringify(b["target"]).slice(0, 300) : "";
  const text = (v: unknown, max: number): string => (typeof v === "string" ? v.slice(0, max) : "");
  return `assignment set: package ${text(b["packageId"], 100)} intent ${text(b["intent"], 20)} target ${target}`;
}

const upload: HttpFunctionEntry = {
  name: "adminPutPackage",
  route: "admin/v1/packages",
  methods: ["PUT"],
  area: "admin",
  handler: endpoint({
    auth: "admin",
    audit: { target: () => "packages", summary: () => "package uploaded" },
    async handle({ services, auth, request, auditNote }) {
      const flags = changeFlags(request);
      if (request.body === null) throw new AppError("validation", "Send the .nupkg as the request body", { code: "body-required" });
      const length = request.headers.get("content-length");
      const declared = length !== null && /^\d+$/.test(length) ? Number(length) : undefined;
      let result;
      try {
        result = await publishUpload(
          await publishDeps(services),
          auth.realmId,
          request.body,
          services.settings.RJ_UPLOAD_LIMIT_BYTES,
          declared,
          // With force the check is skipped: nothing would be refused.
          flags.force ? undefined : publishImpactGuard(services.impact, auth.realmId, flags, services.clock),
        );
      } catch (error) {
        if (error instanceof PublishDryRun) return json({ dryRun: true, impact: error.impact });
        throw error;
      }
      services.telemetry.event("PackagePublished", {
        realmId: auth.realmId,
        packageId: result.record.id,
        version: result.record.version,
        size: result.record.size,
        outcome: result.created ? "created" : "unchanged",
      });
      auditNote.target = `${result.record.id}/${result.record.version}`;
      auditNote.summary = result.created ? "package version published" : "package version uploaded again (unchanged)";
      return json(view(result.record), result.created ? 201 : 200);
    },
  }),
};

const importLegacy: HttpFunctionEntry = {
  name: "adminImportLegacyPackage",
  route: "admin/v1/packages/legacy",
  methods: ["POST"],
  area: "admin",
  handler: endpoint({
    auth: "admin",
    audit: { target: () => "packages", summary: () => "legacy package imported" },
    // The catalogue validates the legacy record itself (strict schema, precise messages).
    body: z.unknown(),
    async handle({ services, auth, body, auditNote }) {
      const result = await services.packages.catalogue.importLegacy(auth.realmId, body);
      auditNote.target = `${result.record.id}/${result.record.version}`;
      return json(view(result.record), result.created ? 201 : 200);
    },
  }),
};

const list: HttpFunctionEntry = {
  name: "adminListPackages",
  route: "admin/v1/packages",
  methods: ["GET"],
  area: "admin",
  handler: endpoint({
    auth: "reader",
    async handle({ services, auth }) {
      const packages = await services.packages.catalogue.list(auth.realmId);
      return json({ packages: packages.map((p) => ({ id: p.id, versions: p.versions.map(view) })) });
    },
  }),
};

const get: HttpFunctionEntry = {
  name: "adminGetPackage",
  route: "admin/v1/packages/{id}",
  methods: ["GET"],
  area: "admin",
  handler: endpoint({
    auth: "reader",
    async handle({ services, auth, params }) {
      const p = await services.packages.catalogue.get(auth.realmId, params["id"] ?? "");
      return json({ id: p.id, versions: p.versions.map(view) });
    },
  }),
};

const remove: HttpFunctionEntry = {
  name: "adminDeletePackage",
  route: "admin/v1/packages/{id}/{version}",
  methods: ["DELETE"],
  area: "admin",
  handler: endpoint({
    auth: "admin",
    audit: { target: ({ params }) => `${params["id"] ?? ""}/${params["version"] ?? ""}`, summary: () => "package version deleted" },
    async handle({ services, auth, params, request }) {
      const outcome = await services.changes.deleteVersion(auth.realmId, params["id"] ?? "", params["version"] ?? "", changeFlags(request));
      return outcome.done ? empty(204) : json({ dryRun: true, impact: outcome.impact });
    },
  }),
};

const putAssignment: HttpFunctionEntry = {
  name: "adminPutAssignment",
  route: "admin/v1/assignments/{assignmentId}",
  methods: ["PUT"],
  area: "admin",
  handler: endpoint({
    auth: "admin",
    audit: { target: param("assignmentId"), summary: ({ body }) => assignmentSummary(body) },
    // The assignment service validates the body with its strict schema.
    body: z.unknown(),
    async handle({ services, auth, params, body, request }) {
      const outcome = await services.changes.putAssignment(auth.realmId, params["assignmentId"] ?? "", body, changeFlags(request));
      if (!outcome.done) return json({ dryRun: true, impact: outcome.impact });
      return json(outcome.value.assignment, outcome.value.created ? 201 : 200);
    },
  }),
};

const getAssignment: HttpFunctionEntry = {
  name: "adminGetAssignment",
  route: "admin/v1/assignments/{assignmentId}",
  methods: ["GET"],
  area: "admin",
  handler: endpoint({
    auth: "reader",
    async handle({ services, auth, params }) {
      return json(await services.packages.assignments.get(auth.realmId, params["assignmentId"] ?? ""));
    },
  }),
};

const deleteAssignment: HttpFunctionEntry = {
  name: "adminDeleteAssignment",
  route: "admin/v1/assignments/{assignmentId}",
  methods: ["DELETE"],
  area: "admin",
  handler: endpoint({
    auth: "admin",
    audit: { target: param("assignmentId"), summary: () => "assignment deleted" },
    async handle({ services, auth, params, request }) {
      const outcome = await services.changes.deleteAssignment(auth.realmId, params["assignmentId"] ?? "", changeFlags(request));
      return outcome.done ? empty(204) : json({ dryRun: true, impact: outcome.impact });
    },
  }),
};

const listAssignments: HttpFunctionEntry = {
  name: "adminListAssignments",
  route: "admin/v1/assignments",
  methods: ["GET"],
  area: "admin",
  handler: endpoint({
    auth: "reader",
    async handle({ services, auth }) {
      return json({ assignments: await services.packages.assignments.list(auth.realmId) });
    },
  }),
};

// Named to sort before "adminGetPackage": the Functions host takes the first function, by name, whose template matches.
const undeliverable: HttpFunctionEntry = {
  name: "adminFindUndeliverablePackages",
  route: "admin/v1/packages/undeliverable",
  methods: ["GET"],
  area: "admin",
  handler: endpoint({
    auth: "reader",
    async handle({ services, auth }) {
      return json(await services.impact.undeliverable(auth.realmId));
    },
  }),
};

const explain: HttpFunctionEntry = {
  name: "adminExplainPackage",
  route: "admin/v1/devices/{id}/explain/{packageId}",
  methods: ["GET"],
  area: "admin",
  handler: endpoint({
    auth: "reader",
    async handle({ services, auth, params }) {
      const device = await services.devices.get(auth.realmId, deviceIdParam(params["id"]));
      if (device === undefined) throw new AppError("not-found", "No such device");
      const { policy } = await effectivePolicyFor(services, device, undefined);
      const audience = await audienceOf(services.directory, device, undefined);
      return json(await services.packages.delivery.explain(auth.realmId, audience, params["packageId"] ?? "", policy));
    },
  }),
};

export const adminPackageRoutes: HttpFunctionEntry[] = [
  upload,
  importLegacy,
  undeliverable,
  list,
  get,
  remove,
  putAssignment,
  getAssignment,
  deleteAssignment,
  listAssignments,
  explain,
];
