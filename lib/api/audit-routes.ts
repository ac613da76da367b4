import { z } from "zod";
import type { AppServices } from "../app/services.js";
import type { AuditScope } from "../audit/audit-entry.js";
import { decodeAuditToken, encodeAuditToken } from "../audit/audit-token.js";
import { validationError } from "../core/errors.js";
import { endpoint } from "../http/endpoint.js";
import { json } from "../http/reply.js";
import { parseInput } from "../http/validation.js";
import type { HttpFunctionEntry } from "../registry/types.js";
import { AUDIT_RETENTION_DAYS } from "../reconcile/tasks/audit-retention.js";

const DAY_MS = 86_400_000;

const auditQuery = z.object({
  actor: z.string().min(1).max(320).optional(),
  target: z.string().min(1).max(512).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
  continuationToken: z.string().max(200).optional(),
});

const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.object({ id: z.string(), upn: z.string().nullable(), role: z.enum(["reader", "helpdesk", "admin", "operator"]).nullable() }),
  action: z.string().describe("function name of the route"),
  route: z.string().describe("method and path"),
  target: z.string(),
  summary: z.string(),
  outcome: z.enum(["success", "denied"]),
  status: z.number().int(),
  requestId: z.string(),
});

export const auditPageSchema = z.object({ entries: z.array(auditEntrySchema), continuationToken: z.string().nullable() });

async function page(services: AppServices, scope: AuditScope, raw: Record<string, string>): Promise<z.infer<typeof auditPageSchema>> {
  const q = parseInput(auditQuery, raw, "query");
  const now = services.clock.now();
  const to = q.to === undefined ? new Date(now) : new Date(q.to);
  const from = q.from === undefined ? new Date(now - AUDIT_RETENTION_DAYS * DAY_MS) : new Date(q.from);
  if (from.getTime() > to.getTime()) throw validationError("from must not be after to", "invalid-query");
  const after = q.continuationToken === undefined ? undefined : decodeAuditToken(q.continuationToken);
  const result = await services.audit.query(scope, {
    from,
    to,
    pageSize: q.pageSize,
    ...(q.actor === undefined ? {} : { actor: q.actor }),
    ...(q.target === undefined ? {} : { target: q.target }),
    ...(after === undefined ? {} : { after }),
  });
  return { entries: result.entries, continuationToken: result.after === undefined ? null : encodeAuditToken(result.after) };
}

const adminAudit: HttpFunctionEntry = {
  name: "adminListAudit",
  route: "admin/v1/audit",
  methods: ["GET"],
  area: "admin",
  handler: endpoint({
    auth: "reader",
    response: auditPageSchema,
    async handle({ services, auth, request }) {
      return json(await page(services, { kind: "realm", realmId: auth.realmId }, Object.fromEntries(request.query.entries())));
    },
  }),
};

const operatorAudit: HttpFunctionEntry = {
  name: "operatorListAudit",
  route: "operator/v1/audit",
  methods: ["GET"],
  area: "operator",
  handler: endpoint({
    auth: "operator",
    response: auditPageSchema,
    async handle({ services, request }) {
      return json(await page(services, { kind: "operator" }, Object.fromEntries(request.query.entries())));
    },
  }),
};

/** The audit logs: each realm's (admins, helpdesk, readers) and the operators'. */
export const auditRoutes: HttpFunctionEntry[] = [adminAudit, operatorAudit];
