import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../../lib/api/openapi.js";
import { registry } from "../../../lib/registry/index.js";

type Operation = { operationId: string; security: Record<string, unknown>[]; requestBody?: { content: { "application/json": { schema: Record<string, unknown> } } } };

const doc = openApiDocument(registry.http, "1.2.3") as { openapi: string; paths: Record<string, Record<string, Operation>> };

describe("the generated OpenAPI description", () => {
  it("when routes are registered, then every one of them is described with its methods", () => {
    for (const entry of registry.http.filter((e) => !e.route.includes("{*"))) {
      const path = "/api/" + entry.route;
      for (const method of entry.methods) expect(doc.paths[path]?.[method.toLowerCase()], `${method} ${path}`).toBeDefined();
    }
  });

  it("when a route validates a JSON body, then its schema is the zod schema's, unknown fields refused included", () => {
    const state = doc.paths["/api/agent/v1/state"]?.["post"];
    const schema = state?.requestBody?.content["application/json"].schema;
    expect(schema?.["additionalProperties"]).toBe(false);
    expect(schema?.["required"]).toEqual(expect.arrayContaining(["sequence", "reportedAt", "installed", "network"]));
  });

  it("when a route needs a device and a user, then both security schemes are required together", () => {
    expect(doc.paths["/api/agent/v1/packages/{id}/install"]?.["post"]?.security).toEqual([{ deviceAssertion: [], entraUser: [] }]);
    expect(doc.paths["/api/health"]?.["get"]?.security).toEqual([]);
  });

  it("when operation ids are generated, then they are unique", () => {
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
