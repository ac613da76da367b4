import { describe, expect, it } from "vitest";
import { readJsonBody } from "../../../lib/http/body.js";
import { rejectionOf as failure } from "../../support/app-error.js";

function source(body: string | Uint8Array | null, headers: Record<string, string> = { "content-type": "application/json" }) {
  const h = new Headers(headers);
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  return {
    headers: h,
    body: bytes === null ? null : new Blob([bytes]).stream(),
  };
}

describe("reading JSON bodies", () => {
  it("when the body is valid JSON, then it is parsed", async () => {
    expect(await readJsonBody(source('{"a":[1,2]}'), 1024)).toEqual({ a: [1, 2] });
  });

  it("when the body passes the limit without a Content-Length, then 413", async () => {
    const e = await failure(readJsonBody(source("x".repeat(2048)), 1024));
    expect(e.status).toBe(413);
  });

  it("when Content-Length announces more than the limit, then 413 before reading", async () => {
    const e = await failure(readJsonBody(source("{}", { "content-type": "application/json", "content-length": "999999" }), 1024));
    expect(e.status).toBe(413);
  });

  it("when the JSON is malformed, then 400 malformed-json", async () => {
    const e = await failure(readJsonBody(source("{nope"), 1024));
    expect([e.status, e.code]).toEqual([400, "malformed-json"]);
  });

  it("when the content type is not JSON, then 415", async () => {
    const e = await failure(readJsonBody(source("{}", { "content-type": "text/plain" }), 1024));
    expect(e.status).toBe(415);
  });

  it("when the JSON nests deeper than 64 levels, then 400", async () => {
    const e = await failure(readJsonBody(source("[".repeat(100) + "]".repeat(100)), 10_000));
    expect(e.status).toBe(400);
  });

  it("when the bytes are not UTF-8, then 400", async () => {
    const e = await failure(readJsonBody(source(new Uint8Array([0x7b, 0xff, 0x7d])), 1024));
    expect(e.status).toBe(400);
  });

  it("when the body is empty, then 400 body-required", async () => {
    const e = await failure(readJsonBody(source(null), 1024));
    expect(e.code).toBe("body-required");
  });
});
