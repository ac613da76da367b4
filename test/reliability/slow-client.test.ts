import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTOSO_TENANT_ID } from "../../lib/directory/demo-directory.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { userToken } from "../support/host-identities.js";
import { startReliabilityHost } from "./support/reliability-host.js";

const IDLE_TIMEOUT_MS = 1_000;
/** The bound the host must close a stalled socket within (the idle timeout plus ample slack on a busy machine). */
const CLOSE_BOUND_MS = 15_000;

let host: RunningLocalHost;
let admin: string;

beforeAll(async () => {
  host = await startReliabilityHost({ idleTimeoutMs: IDLE_TIMEOUT_MS });
  admin = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
});
afterAll(async () => {
  await host.stop();
});

/** Opens a loopback socket and resolves once connected; `closed` settles when the server ends it. */
async function openSocket(port: number): Promise<{ socket: Socket; closed: Promise<"closed" | "still-open"> }> {
  const socket = connect({ host: "127.0.0.1", port });
  socket.on("data", () => undefined);
  socket.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const closed = new Promise<"closed" | "still-open">((resolve) => {
    const timer = setTimeout(() => resolve("still-open"), CLOSE_BOUND_MS);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve("closed");
    });
  });
  return { socket, closed };
}

async function policyStatus(): Promise<{ status: number; body: string }> {
  const res = await fetch(`${host.url}/api/admin/v1/policies/realm`, { headers: { authorization: `Bearer ${admin}` } });
  return { status: res.status, body: await res.text() };
}

describe("slow clients", () => {
  it("when a client sends half its body and stalls, then the host closes the connection, serves others meanwhile and stores nothing", async () => {
    const before = await policyStatus();
    const body = JSON.stringify({ reportIntervalSeconds: 600, bitlockerEnabled: false, makeAdmin: true, noGraph: false, acceptLegacyHashes: false });
    const { socket, closed } = await openSocket(host.port);
    socket.write(
      `PUT /api/admin/v1/policies/realm HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${admin}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, Math.floor(body.length / 2))}`,
    );

    // While that socket stalls, other clients are served.
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${host.url}/api/health`);
      await res.arrayBuffer();
      expect(res.status).toBe(200);
    }
    expect(await closed).toBe("closed");
    socket.destroy();
    expect(await policyStatus()).toEqual(before);
  });

  it("when a client sends part of its headers and stalls, then the host closes the connection", async () => {
    const { socket, closed } = await openSocket(host.port);
    socket.write("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    expect(await closed).toBe("closed");
    socket.destroy();
    const res = await fetch(`${host.url}/api/health`);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
  });

  it("when many clients stall at once, then each is closed and a well-behaved client is still served", async () => {
    const stalled = await Promise.all(Array.from({ length: 20 }, async () => await openSocket(host.port)));
    for (const { socket } of stalled) {
      socket.write(`PUT /api/admin/v1/policies/realm HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${admin}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`);
    }
    const res = await fetch(`${host.url}/api/health`);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    expect(await Promise.all(stalled.map(async ({ closed }) => await closed))).toEqual(stalled.map(() => "closed"));
    for (const { socket } of stalled) socket.destroy();
  });
});
