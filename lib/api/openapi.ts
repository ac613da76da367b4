import { z } from "zod";
import type { AuthRequirement } from "../http/auth-requirement.js";
import { describeEndpoint } from "../http/endpoint.js";
import type { HttpFunctionEntry } from "../registry/types.js";

type JsonObject = Record<string, unknown>;

const SECURITY: Record<AuthRequirement, JsonObject[]> = {
  none: [],
  device: [{ deviceAssertion: [] }],
  "device+user": [{ deviceAssertion: [], entraUser: [] }],
  user: [{ entraUser: [] }],
  reader: [{ entraUser: [] }],
  helpdesk: [{ entraUser: [] }],
  admin: [{ entraUser: [] }],
  operator: [{ entraUser: [] }],
};

const ROLE_NOTE: Partial<Record<AuthRequirement, string>> = {
  reader: "Requires the app role RealmJoin.Reader, RealmJoin.Helpdesk or RealmJoin.Admin (of the caller's own realm).",
  helpdesk: "Requires the app role RealmJoin.Helpdesk or RealmJoin.Admin (of the caller's own realm).",
  admin: "Requires the app role RealmJoin.Admin (of the caller's own realm).",
  operator: "Requires the app role RealmJoin.Operator in the operator tenant.",
  device: "Device assertion; a user token may accompany it (user-context call).",
};

/** The app role a route needs, as an OpenAPI extension (x-required-role). */
const REQUIRED_ROLE: Partial<Record<AuthRequirement, string>> = {
  reader: "RealmJoin.Reader",
  helpdesk: "RealmJoin.Helpdesk",
  admin: "RealmJoin.Admin",
  operator: "RealmJoin.Operator",
};

function bodySchema(schema: z.ZodType, io: "input" | "output" = "input"): JsonObject {
  try {
    const json = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonObject;
    const { $schema: _ignored, ...rest } = json;
    return rest;
  } catch {
    return {};
  }
}

const problem = { description: "Problem details (RFC 9457)", content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } };

/**
 * The OpenAPI 3.1 description of every registered route, generated from the registry and the endpoints'
 * own auth requirements and zod body schemas, so it cannot drift from what the code accepts.
 */
export function openApiDocument(routes: readonly HttpFunctionEntry[], version: string): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const entry of routes) {
    if (entry.route.includes("{*")) continue;
    const description = describeEndpoint(entry.handler);
    const path = "/api/" + entry.route.replace(/\{([A-Za-z][A-Za-z0-9_]*)(:[^}]*)?\}/g, "{$1}");
    const declared = description?.params?.shape;
    const parameters = [...entry.route.matchAll(/\{([A-Za-z][A-Za-z0-9_]*)(:[^}]*)?\}/g)].map((m) => {
      const schema = m[1] === undefined ? undefined : declared?.[m[1]];
      return { name: m[1], in: "path", required: true, schema: schema === undefined ? { type: "string" } : bodySchema(schema) };
    });
    const item = (paths[path] ??= {});
    for (const method of entry.methods) {
      const auth = description?.auth ?? "none";
      item[method.toLowerCase()] = {
        operationId: entry.methods.length > 1 ? `${entry.name}${method[0]}${method.slice(1).toLowerCase()}` : entry.name,
        tags: [entry.area],
        ...(ROLE_NOTE[auth] ? { description: ROLE_NOTE[auth] } : {}),
        ...(REQUIRED_ROLE[auth] ? { "x-required-role": REQUIRED_ROLE[auth] } : {}),
        ...(description?.audited === true ? { "x-audited": true } : {}),
        ...(parameters.length > 0 ? { parameters } : {}),
        security: SECURITY[auth],
        ...(description?.body !== undefined && method !== "GET" && method !== "HEAD"
          ? { requestBody: { required: true, content: { "application/json": { schema: bodySchema(description.body) } } } }
          : {}),
        responses: {
          "2XX":
            description?.response === undefined
              ? { description: "Success (see API.md for the body)" }
              : { description: "Success", content: { "application/json": { schema: bodySchema(description.response, "output") } } },
          "4XX": problem,
          "503": problem,
        },
      };
    }
  }
  return {
    openapi: "3.1.0",
    info: { title: "RealmJoin back-end", version, description: "Agent, admin and operator protocol (API.md version 1), generated from the function registry." },
    servers: [{ url: "/" }],
    paths,
    components: {
      securitySchemes: {
        entraUser: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "Entra ID access token (scope access_as_agent)" },
        deviceAssertion: { type: "apiKey", in: "header", name: "X-RJ-Device-Assertion", description: "x5c-signed JWS, typ rj-device+jwt, single use" },
      },
      schemas: {
        Problem: {
          type: "object",
          required: ["type", "title", "status", "detail"],
          properties: {
            type: { type: "string" },
            title: { type: "string" },
            status: { type: "integer" },
            detail: { type: "string" },
            requestId: { type: "string" },
            errors: {
              description: "Validation problems: at most the first 20, values never echoed",
              type: "array",
              maxItems: 20,
              items: { type: "object", properties: { path: { type: "string" }, message: { type: "string" } } },
            },
            errorCount: { description: "How many validation problems there were in all", type: "integer" },
          },
        },
      },
    },
  };
}
