import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { startTestHost } from "../support/test-host.js";

let host: RunningLocalHost;

beforeAll(async () => {
  host = await startTestHost({ env: { RJ_RECONCILE_SCHEDULE: "0 0 0 30 2 *" } });
});
afterAll(async () => {
  await host.stop();
});

/** Sends raw bytes and returns whatever the server answers before closing. */
async function raw(bytes: string): Promise<string> {
  return await new Promise((resolve, reject) => {
    const socket = connect(host.port, "127.0.0.1");
    let answer = "";
    socket.setTimeout(5_000, () => socket.destroy(new Error("no answer")));
    socket.on("data", (d: Buffer) => (answer += d.toString()));
    socket.on("close", () => resolve(answer));
    socket.on("error", reject);
    socket.write(bytes);
  });
}

describe("requests the HTTP parser refuses", () => {
  it("when the headers are larger than the parser allows, then 431 problem+json", async () => {
    const answer = await raw(`GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toContain("content-type: application/problem+json");
    expect(answer).toMatch(/x-request-id: [0-9a-f-]{36}/);
  });

  it("when the request line is garbage, then 400 problem+json", async () => {
    const answer = await raw("NOT A REQUEST\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('"status":400');
  });

  it("when a reused keep-alive connection sends a request the parser refuses, then it gets problem+json and is closed", async () => {
    const good = "GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n";
    for (const [bad, status] of [
      [`GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`, 431],
      ["NOT A REQUEST\r\n\r\n", 400],
    ] as const) {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(host.port, "127.0.0.1");
        let text = "";
        let sentBad = false;
        socket.setTimeout(5_000, () => socket.destroy(new Error(`no answer; got so far: ${text.slice(0, 200)}`)));
        socket.on("data", (d: Buffer) => {
          text += d.toString();
          // The first answer is complete once its JSON body closed: then reuse the connection for the bad request.
          if (!sentBad && /\r\n\r\n\{.*\}$/s.test(text)) {
            sentBad = true;
            socket.write(bad);
          }
        });
        socket.on("close", () => resolve(text));
        socket.on("error", reject);
        socket.write(good);
      });
      const answers = answer.split(/(?=HTTP\/1\.1 )/);
      expect(answers).toHaveLength(2);
      expect(answers[0]).toMatch(/^HTTP\/1\.1 200 /);
      expect(answers[1]).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(answers[1]).toContain("content-type: application/problem+json");
      expect(answers[1]).toContain("connection: close");
    }
  });
});
