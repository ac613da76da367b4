import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { startTestHost } from "../support/test-host.js";

let host: RunningLocalHost;

beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => {
  await host.stop();
});

describe("the local host over real HTTP", () => {
  it("when storage answers, then GET /api/health is 200 with the version", async () => {
    const res = await fetch(`${host.url}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", storage: "ok", version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(res.headers.get("x-request-id")).toMatch(/.{8,}/);
  });

  it("when the caller sends a sane x-request-id, then it is echoed", async () => {
    const res = await fetch(`${host.url}/api/health`, { headers: { "x-request-id": "trace-12345678" } });
    expect(res.headers.get("x-request-id")).toBe("trace-12345678");
  });

  it("when the route is unknown, then 404 problem+json with a request id", async () => {
    const res = await fetch(`${host.url}/api/no/such/route`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const body = (await res.json()) as { status: number; type: string; title: string; detail: string };
    expect(body).toMatchObject({ status: 404, title: "Not Found" });
    expect(body.type).toMatch(/not-found$/);
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("when the path is outside /api, then 404 problem+json too", async () => {
    const res = await fetch(`${host.url}/elsewhere`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  it("when the method is wrong, then 405 with Allow", async () => {
    const res = await fetch(`${host.url}/api/health`, { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  it("when a path segment is badly percent-encoded, then 404, not 500", async () => {
    const res = await fetch(`${host.url}/api/%E0%A4%A`);
    expect(res.status).toBe(404);
  });
});
