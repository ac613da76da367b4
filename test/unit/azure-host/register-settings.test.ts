import { afterAll, describe, expect, it, vi } from "vitest";
import { HttpRequest, InvocationContext } from "../../../lib/registry/azure-functions.js";
import { registry } from "../../../lib/registry/index.js";

// The Azure registration path itself: the function code (handlers.ts, which register.ts loads on the first
// invocation) checks settings as it loads, so the environment is broken first and the module imported afterwards.
/** The body a guard answers: always a JSON string. */
function bodyText(body: unknown): string {
  if (typeof body !== "string") throw new Error("expected a string body");
  return body;
}

const SECRET = "broken-value-never-logged";

describe("the Functions host entry points with a bad setting", () => {
  afterAll(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it("when the function code loads, then it logs the setting once by name, and the HTTP handler answers 503 configuration-invalid", async () => {
    vi.stubEnv("AzureWebJobsStorage", "UseDevelopmentStorage=true");
    vi.stubEnv("RJ_GRAPH_TIMEOUT_MS", `-5${SECRET}`);
    const written: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
      return true;
    });
    const { httpHandler } = await import("../../../lib/azure-host/handlers.js");
    const lines = written.join("").split("\n").filter((l) => l.includes("settings.invalid"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("RJ_GRAPH_TIMEOUT_MS");
    expect(written.join("")).not.toContain(SECRET);

    const health = registry.http.find((e) => e.name === "health") ?? registry.http[0]!;
    const response = await httpHandler(health.name)(new HttpRequest({ method: "GET", url: "http://localhost/api/health" }), new InvocationContext());
    expect(response.status).toBe(503);
    const headers = new Headers(response.headers);
    expect(headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect((JSON.parse(bodyText(response.body)) as { type: string }).type).toMatch(/\/configuration-invalid$/);
    expect(written.join("").split("\n").filter((l) => l.includes("settings.invalid"))).toHaveLength(1);
  });
});
