import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO_TENANT_ID } from "../../lib/directory/demo-directory.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { userToken } from "../support/host-identities.js";
import { startTestHost } from "../support/test-host.js";

const LIMIT = 64 * 1024;
const CHUNK = Buffer.alloc(16 * 1024, 0x20);

let host: RunningLocalHost;
let adminToken: string;

beforeAll(async () => {
  host = await startTestHost({ env: { FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: String(LIMIT) } });
  adminToken = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
});
afterAll(async () => {
  await host.stop();
});

interface Answer {
  status: number;
  contentType: string | undefined;
  body: string;
  /** Body bytes the client had written when the answer was complete. */
  sent: number;
}

/**
 * Sends `total` body bytes in 16 KiB chunks with back-pressure (chunked unless a length is declared)
 * and stops as soon as the answer is complete.
 */
async function send(method: string, path: string, options: { total: number; declaredLength?: number; headers?: Record<string, string> }): Promise<Answer> {
  return await new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const headers: Record<string, string> = { ...options.headers };
    if (options.declaredLength !== undefined) headers["content-length"] = String(options.declaredLength);
    const outgoing = request(`${host.url}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        answered = true;
        resolve({ status: res.statusCode ?? 0, contentType: res.headers["content-type"], body: Buffer.concat(chunks).toString("utf8"), sent });
        outgoing.destroy();
      });
    });
    outgoing.on("error", (error) => {
      if (!answered) reject(error);
    });
    const pump = (): void => {
      while (!answered && sent < options.total) {
        const piece = CHUNK.subarray(0, Math.min(CHUNK.byteLength, options.total - sent));
        sent += piece.byteLength;
        if (!outgoing.write(piece)) {
          outgoing.once("drain", pump);
          return;
        }
      }
      if (!answered && options.declaredLength === undefined) outgoing.end();
    };
    if (options.total === 0) outgoing.flushHeaders();
    else pump();
  });
}

function expectHostRefusal(answer: Answer): void {
  expect(answer.status).toBe(413);
  expect(answer.contentType).toBe("application/problem+json");
  expect(JSON.parse(answer.body)).toMatchObject({ status: 413, detail: expect.stringContaining("FUNCTIONS_REQUEST_BODY_SIZE_LIMIT") });
}

describe("the Functions host's request-body limit on the local host", () => {
  it("when a request declares a Content-Length above the limit, then 413 problem+json comes before any body byte is sent", async () => {
    const answer = await send("POST", "/api/agent/v1/state", { total: 0, declaredLength: LIMIT + 1 });
    expectHostRefusal(answer);
    expect(answer.sent).toBe(0);
  });

  it("when a chunked body passes the limit, then 413 problem+json comes without the rest being read", async () => {
    const total = 256 * 1024 * 1024;
    const answer = await send("POST", "/api/dev/entra/bitlocker-keys", { total, headers: { "content-type": "application/json" } });
    expectHostRefusal(answer);
    // Socket buffers hold a few MiB at most; a host reading on would have taken all of it.
    expect(answer.sent).toBeLessThan(total / 4);
  });

  it("when a package upload streams past the limit, then the host answers 413, not the upload's own error", async () => {
    const total = 256 * 1024 * 1024;
    const answer = await send("PUT", "/api/admin/v1/packages", { total, headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/octet-stream" } });
    expectHostRefusal(answer);
    expect(answer.sent).toBeLessThan(total / 4);
  });

  it("when a body is exactly at the limit, then it is handed to the function", async () => {
    const json = JSON.stringify({ deviceId: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", keyId: "k", tenantId: "00000000-0000-4000-8000-000000000001" });
    const padded = json + " ".repeat(LIMIT - json.length);
    const res = await fetch(`${host.url}/api/dev/entra/bitlocker-keys`, { method: "POST", headers: { "content-type": "application/json" }, body: padded });
    // The function read and validated it: the tenant is unknown.
    expect(res.status).toBe(404);
    expect(((await res.json()) as { detail: string }).detail).toBe("Unknown tenant");
  });

  it("when the host's limit is lowered, then the upload and JSON limits follow it", () => {
    expect(host.services.settings.RJ_UPLOAD_LIMIT_BYTES).toBe(LIMIT);
    expect(host.services.settings.RJ_JSON_BODY_LIMIT_BYTES).toBe(LIMIT);
  });
});
