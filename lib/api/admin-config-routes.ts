import { z } from "zod";
import { AppError } from "../core/errors.js";
import { param } from "../http/audit-declaration.js";
import { endpoint } from "../http/endpoint.js";
import { parseIfMatch } from "../http/if-match.js";
import { empty, json } from "../http/reply.js";
import { parseInput } from "../http/validation.js";
import { parsePolicyScope, policyDocumentSchema, releaseChannel, type PolicyScope } from "../policies/policy.js";
import { releaseSchema } from "../releases/release-repository.js";
import type { HttpFunctionEntry } from "../registry/types.js";
import { deviceIdParam } from "./device-id-param.js";

function scopeParam(raw: string | undefined): PolicyScope {
  const scope = parsePolicyScope(raw ?? "");
  if (scope === undefined) throw new AppError("validation", 'The scope must be "realm", "group:{id}" or "device:{id}"', { code: "invalid-scope" });
  return scope;
}

/** The tags of an If-Match header, or undefined when absent or "*" (a realm policy always exists); 400 when malformed. */
function ifMatchTags(header: string | null): string[] | undefined {
  const parsed = parseIfMatch(header);
  return parsed.kind === "tags" ? parsed.tags : undefined;
}

const putPolicy: HttpFunctionEntry = {
  name: "adminPutPolicy",
  route: "admin/v1/policies/{scope}",
  methods: ["PUT"],
  area: "admin",
  handler: endpoint({
    auth: "admin",
    audit: { target: param("scope"), summary: ({ body }) => `policy set: ${Object.keys(body).sort().join(", ")}` },
    body: policyDocumentSchema,
    async handle({ services, auth, params, body, request }) {
      const scope = scopeParam(params["scope"]);
      if (scope.kind !== "group" && body.priority !== undefined) {
        throw new AppError("validation", "priority applies to group policies only", { code: "invalid-body" });
      }
      const ifMatch = ifMatchTags(request.headers.get("if-match"));
      const ifNoneMatch = request.headers.get("if-none-match")?.trim() === "*";
      const stored = await services.policies.put(auth.realmId, scope, body, new Date(services.clock.now()).toISOString(), ifNoneMatch ? "absent" : ifMatch);
      return json({ scope: stored.scope, policy: stored.document, updatedAt: stored.updatedAt }, 200, { etag: stored.etag });
    },
  }),
};

const getPolicy: HttpFunctionEntry = {
  name: "adminGetPolicy",
  route: "admin/v1/policies/{scope}",
  methods: ["GET"],
  area: "admin",
  handler: endpoint({
    auth: "reader",
    async handle({ services, auth, params }) {
      const stored = await services.policies.get(auth.realmId, scopeParam(params["scope"]));
      if (stored === undefined) throw new AppError("not-found", "No policy is set for this scope");
      return json({ scope: stored.scope, policy: stored.document, updatedAt: stored.updatedAt }, 200, { etag: stored.etag });
    },
  }),
};

const deletePolicy: HttpFunctionEntry = {
  name: "adminDeletePolicy",
  route: "admin/v1/policies/{scope}",
  methods: ["DELETE"],
  area: "admin",
  handler: endpoint({
    auth: "admin",
    audit: { target: param("scope"), summary: () => "policy deleted" },
    async handle({ services, auth, params, request }) {
      const scope = scopeParam(params["scope"]);
      if (scope.kind === "realm") throw new AppError("validation", "The realm policy can be changed but not removed", { code: "invalid-scope" });
      if (!(await services.policies.delete(auth.realmId, scope, ifMatchTags(request.headers.get("if-match"))))) throw new AppError("not-found", "No policy is set for this scope");
      return empty(204);
    },
  }),
};

const listPolicies: HttpFunctionEntry = {
  name: "adminListPolicies",
  route: "admin/v1/policies",
  methods: ["GET"],
  area: "admin",
  handler: endpoint({
    auth: "reader",
    async handle({ services, auth }) {
      const all = await services.policies.list(auth.realmId);
      return json({ policies: all.map((p) => ({ scope: p.scope, policy: p.document, updatedAt: p.updatedAt })) });
    },
  }),
};

const putRelease: HttpFunctionEntry = {
  name: "adminPutRelease",
  route: "admin/v1/releases/{channel}",
  methods: ["PUT"],
  area: "admin",
  handler: endpoint({
    auth: "admin",
    audit: { target: param("channel"), summary: ({ body }) => `release ${body.version}` },
    body: releaseSchema,
    async handle({ services, auth, params, body }) {
      const channel = parseInput(releaseChannel, params["channel"], "channel");
      const publishedAt = new Date(services.clock.now()).toISOString();
      await services.releases.put(auth.realmId, channel, body, publishedAt);
      return json({ channel, ...body, publishedAt });
    },
  }),
};

const getRelease: HttpFunctionEntry = {
  name: "adminGetRelease",
  route: "admin/v1/releases/{channel}",
  methods: ["GET"],
  area: "admin",
  handler: endpoint({
    auth: "reader",
    async handle({ services, auth, params }) {
      const channel = parseInput(releaseChannel, params["channel"], "channel");
      const release = await services.releases.get(auth.realmId, channel);
      if (release === undefined) throw new AppError("not-found", "No release is published on this channel");
      return json({ channel, ...release });
    },
  }),
};

const primaryUserBody = z.object({ userId: z.uuid() }).strict();

const putPrimaryUser: HttpFunctionEntry = {
  name: "adminPutPrimaryUser",
  route: "admin/v1/devices/{id}/primary-user",
  methods: ["PUT"],
  area: "admin",
  handler: endpoint({
    auth: "helpdesk",
    audit: { target: param("id"), summary: ({ body }) => `primary user set to ${body.userId.toLowerCase()}` },
    body: primaryUserBody,
    async handle({ services, auth, params, body }) {
      const deviceId = deviceIdParam(params["id"]);
      const user = await services.directory.getUser(auth.realmId, body.userId);
      if (user === undefined) throw new AppError("validation", "No such user in this realm", { code: "unknown-user" });
      const device = await services.devices.update(auth.realmId, deviceId, (current) =>
        current === undefined ? undefined : { ...current, primaryUser: body.userId.toLowerCase() },
      );
      if (device === undefined) throw new AppError("not-found", "No such device");
      return json({ deviceId: device.deviceId, primaryUser: device.primaryUser ?? null });
    },
  }),
};

export const adminConfigRoutes: HttpFunctionEntry[] = [putPolicy, getPolicy, deletePolicy, listPolicies, putRelease, getRelease, putPrimaryUser];
