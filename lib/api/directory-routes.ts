import { z } from "zod";
import { AppError } from "../core/errors.js";
import { NEVER_EXPIRES_DAYS } from "../directory/directory.js";
import { passwordExpiry } from "../directory/password-expiry.js";
import { SignatureTemplateRepository } from "../directory/signature-template-repository.js";
import { renderSignature, validateTemplate } from "../directory/signature-template.js";
import { param } from "../http/audit-declaration.js";
import { endpoint } from "../http/endpoint.js";
import { empty, json } from "../http/reply.js";
import { parseInput } from "../http/validation.js";
import { TABLE_STRING_MAX_CHARS } from "../storage/limits.js";
import type { AppServices } from "../app/services.js";
import type { HttpFunctionEntry } from "../registry/types.js";

const templates = (s: AppServices) => new SignatureTemplateRepository(() => s.tables.table("SignatureTemplates"));
const templateName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/, "1-64 letters, digits, spaces, dots, dashes or underscores");
// Each part is stored as one Table string property.
const templateBody = z.object({ html: z.string().max(TABLE_STRING_MAX_CHARS), text: z.string().max(TABLE_STRING_MAX_CHARS) }).strict();

function signedInUser(auth: { user?: { userId: string } }): string {
  if (auth.user === undefined) throw new AppError("unauthorized", "User token required");
  return auth.user.userId;
}

const passwordExpiryRoute: HttpFunctionEntry = {
  name: "agentPasswordExpiry",
  route: "agent/v1/user/password-expiry",
  methods: ["GET"],
  area: "agent",
  handler: endpoint({
    auth: "device+user",
    async handle({ services, auth }) {
      const realm = await services.realms.get(auth.realmId);
      if (realm === undefined || realm.noGraph) {
        throw new AppError("conflict", "This realm has no Microsoft Graph access, so password expiry is unknown", { code: "no-graph" });
      }
      const user = await services.directory.getUser(auth.realmId, signedInUser(auth));
      if (user === undefined) throw new AppError("not-found", "The signed-in user is not in the directory");
      const domain = user.userPrincipalName.split("@")[1] ?? "";
      const validity = domain === "" ? NEVER_EXPIRES_DAYS : await services.directory.passwordValidityDays(auth.realmId, domain);
      const expiry = passwordExpiry(user, validity, services.clock);
      if (expiry === undefined) return json({ expiresAt: null, daysLeft: null, never: false, known: false });
      return json({ ...expiry, known: true });
    },
  }),
};

const signatures: HttpFunctionEntry = {
  name: "agentSignatures",
  route: "agent/v1/user/signatures",
  methods: ["GET"],
  area: "agent",
  handler: endpoint({
    auth: "device+user",
    async handle({ services, auth }) {
      const user = await services.directory.getUser(auth.realmId, signedInUser(auth));
      if (user === undefined) throw new AppError("not-found", "The signed-in user is not in the directory");
      const all = await templates(services).list(auth.realmId);
      return json(
        all.map((t) => {
          const rendered = renderSignature(t, user);
          return { name: t.name, html: rendered.html, txt: rendered.text };
        }),
      );
    },
  }),
};

const putTemplate: HttpFunctionEntry = {
  name: "adminPutSignatureTemplate",
  route: "admin/v1/signature-templates/{name}",
  methods: ["PUT"],
  area: "admin",
  handler: endpoint({
    auth: "admin",
    audit: { target: param("name"), summary: () => "signature template set" },
    body: templateBody,
    async handle({ services, auth, params, body }) {
      const name = parseInput(templateName, params["name"], "name");
      const template = validateTemplate(body);
      const updatedAt = new Date(services.clock.now()).toISOString();
      await templates(services).put(auth.realmId, name, template, updatedAt);
      return json({ name, ...template, updatedAt });
    },
  }),
};

const listTemplates: HttpFunctionEntry = {
  name: "adminListSignatureTemplates",
  route: "admin/v1/signature-templates",
  methods: ["GET"],
  area: "admin",
  handler: endpoint({
    auth: "reader",
    async handle({ services, auth }) {
      return json({ templates: await templates(services).list(auth.realmId) });
    },
  }),
};

const deleteTemplate: HttpFunctionEntry = {
  name: "adminDeleteSignatureTemplate",
  route: "admin/v1/signature-templates/{name}",
  methods: ["DELETE"],
  area: "admin",
  handler: endpoint({
    auth: "admin",
    audit: { target: param("name"), summary: () => "signature template deleted" },
    async handle({ services, auth, params }) {
      const name = parseInput(templateName, params["name"], "name");
      if (!(await templates(services).delete(auth.realmId, name))) throw new AppError("not-found", "No such template");
      return empty(204);
    },
  }),
};

export const directoryRoutes: HttpFunctionEntry[] = [passwordExpiryRoute, signatures, putTemplate, listTemplates, deleteTemplate];
