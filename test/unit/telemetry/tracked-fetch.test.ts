import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RecordingTelemetry } from "../../../lib/telemetry/telemetry.js";
import { operationPath, trackedFetch } from "../../../lib/telemetry/tracked-fetch.js";

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    res.statusCode = req.url?.startsWith("/missing") === true ? 404 : req.url?.startsWith("/fail") === true ? 503 : 200;
    res.end("{}");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("trackedFetch", () => {
  it("when a call succeeds, then one HTTP dependency is recorded with host, templated path and status, without the query", async () => {
    const telemetry = new RecordingTelemetry();
    const f = trackedFetch(telemetry);
    const res = await f(`${base}/v1.0/users/adele@contoso.example/transitiveMemberOf?$filter=id eq 'x'&sig=secret`);
    expect(res.status).toBe(200);
    expect(telemetry.dependencies).toHaveLength(1);
    const call = telemetry.dependencies[0];
    expect(call).toMatchObject({ type: "HTTP", target: new URL(base).host, method: "GET", path: "/v1.0/users/:id/transitiveMemberOf", resultCode: "200", success: true });
    expect(JSON.stringify(call)).not.toContain("secret");
  });

  it("when the service answers 503, then the dependency is recorded as failed", async () => {
    const telemetry = new RecordingTelemetry();
    await trackedFetch(telemetry)(`${base}/fail`, { method: "POST" });
    expect(telemetry.dependencies[0]).toMatchObject({ method: "POST", path: "/fail", resultCode: "503", success: false });
  });

  it("when no connection can be made, then the error is rethrown and recorded", async () => {
    const telemetry = new RecordingTelemetry();
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await expect(trackedFetch(telemetry)(`http://127.0.0.1:${port}/x`)).rejects.toThrow();
    expect(telemetry.dependencies[0]).toMatchObject({ success: false, resultCode: "TypeError" });
  });

  it("when paths hold GUIDs, then they become :id so operations group", () => {
    expect(operationPath(new URL("https://graph.microsoft.com/v1.0/devices/0f8fad5b-d9cb-469f-a165-70867728950e"))).toBe("/v1.0/devices/:id");
  });
});
