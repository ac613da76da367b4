import { z } from "zod";
import { AppError } from "../core/errors.js";
import { param } from "../http/audit-declaration.js";
import { endpoint } from "../http/endpoint.js";
import { empty, json } from "../http/reply.js";
import type { AuthContext } from "../http/resolve-auth.js";
import type { AppServices } from "../app/services.js";
import { changeRealmStatus, putRealm, type RealmAction } from "../realms/realm-lifecycle.js";
import { deviceTrustOptions, realmInputSchema, resolveRealmInput, tenantIdParam } from "../realms/realm-input.js";
import { realmCounts, realmView } from "../realms/realm-view.js";
import type { HttpFunctionEntry } from "../registry/types.js";

const BASE = "operator/v1/realms";

const rotationSchema = z.object({
  kid: z.string().describe("the new current key"),
  publishedKids: z.array(z.string()).describe("every key GET /api/agent/v1/keys now publishes (new first)"),
  overlapDays: z.number().int().describe("how long the previous key stays published"),
});

function changed(services: AppServices, auth: AuthContext, realmId: string, action: string): void {
  services.telemetry.event("RealmChanged", { realmId, action, operator: auth.user?.userId ?? "" });
}

const putRealmRoute: HttpFunctionEntry = {
  name: "operatorPutRealm",
  route: `${BASE}/{tenantId}`,
  methods: ["PUT"],
  area: "operator",
  handler: endpoint({
    auth: "operator",
    body: realmInputSchema,
    audit: { scope: "operator", target: param("tenantId"), summary: ({ body, status }) => `realm ${status === 201 ? "created" : "updated"}: ${Object.keys(body).sort().join(", ")}` },
    async handle({ services, auth, params, body }) {
      const tenantId = tenantIdParam(params["tenantId"]);
      const input = resolveRealmInput(body, deviceTrustOptions(services.settings));
      const { realm, created } = await putRealm(services, tenantId, input);
      changed(services, auth, tenantId, created ? "create" : "update");
      return json(realmView(realm, services.settings.RJ_RETENTION_DAYS), created ? 201 : 200);
    },
  }),
};

const listRealms: HttpFunctionEntry = {
  name: "operatorListRealms",
  route: BASE,
  methods: ["GET"],
  area: "operator",
  handler: endpoint({
    auth: "operator",
    async handle({ services }) {
      const realms = await services.realms.list();
      realms.sort((a, b) => a.id.localeCompare(b.id));
      return json({ realms: realms.map((r) => realmView(r, services.settings.RJ_RETENTION_DAYS)) });
    },
  }),
};

const getRealm: HttpFunctionEntry = {
  name: "operatorGetRealm",
  route: `${BASE}/{tenantId}`,
  methods: ["GET"],
  area: "operator",
  handler: endpoint({
    auth: "operator",
    async handle({ services, params }) {
      const tenantId = tenantIdParam(params["tenantId"]);
      const realm = await services.realms.get(tenantId);
      if (realm === undefined) throw new AppError("not-found", "Unknown realm");
      return json({ ...realmView(realm, services.settings.RJ_RETENTION_DAYS), counts: await realmCounts(services, tenantId) });
    },
  }),
};

function statusRoute(name: string, action: RealmAction, method: "POST" | "DELETE", suffix: string): HttpFunctionEntry {
  return {
    name,
    route: `${BASE}/{tenantId}${suffix}`,
    methods: [method],
    area: "operator",
    handler: endpoint({
      auth: "operator",
      audit: { scope: "operator", target: param("tenantId"), summary: () => `realm ${action}` },
      async handle({ services, auth, params }) {
        const tenantId = tenantIdParam(params["tenantId"]);
        const realm = await changeRealmStatus(services, tenantId, action);
        changed(services, auth, tenantId, action);
        return action === "delete" ? empty(204) : json(realmView(realm, services.settings.RJ_RETENTION_DAYS));
      },
    }),
  };
}

const rotateSigningKey: HttpFunctionEntry = {
  name: "operatorRotateSigningKey",
  route: `${BASE}/{tenantId}/signing-key/rotate`,
  methods: ["POST"],
  area: "operator",
  handler: endpoint({
    auth: "operator",
    response: rotationSchema,
    audit: { scope: "operator", target: param("tenantId"), summary: () => "signing key rotated" },
    async handle({ services, params, auditNote }) {
      const tenantId = tenantIdParam(params["tenantId"]);
      const realm = await services.realms.get(tenantId);
      if (realm === undefined || realm.status === "deleted") throw new AppError("not-found", "Unknown realm");
      const signer = await services.keyRing.rotate(tenantId);
      const jwks = await services.keyRing.jwks(tenantId);
      auditNote.summary = `signing key rotated to ${signer.kid}`;
      return json({
        kid: signer.kid,
        publishedKids: jwks.keys.map((k) => k.kid),
        overlapDays: services.settings.RJ_KEY_OVERLAP_DAYS,
      });
    },
  }),
};

/** Operator routes (/api/operator/v1): realm lifecycle; operators see realm records and counts, never customer data. */
export const operatorRoutes: HttpFunctionEntry[] = [
  putRealmRoute,
  listRealms,
  getRealm,
  statusRoute("operatorDisableRealm", "disable", "POST", "/disable"),
  statusRoute("operatorEnableRealm", "enable", "POST", "/enable"),
  statusRoute("operatorDeleteRealm", "delete", "DELETE", ""),
  rotateSigningKey,
];
