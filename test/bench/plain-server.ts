import { createServer, type Server } from "node:http";
import { fork } from "node:child_process";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

/** A recorded answer of the real host: status, headers and body bytes. */
export interface RecordedAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** The reference server: a plain node:http server on 127.0.0.1 answering fixed bytes from memory. */
export interface PlainServer {
  origin: string;
  close(): Promise<void>;
}

/**
 * Answers every request with the recorded answer after reading the request body; a request whose If-None-Match is
 * one of `etags` gets 304 with that ETag instead (the cheapest possible conditional poll).
 */
export async function startPlainServer(answer: RecordedAnswer, etags: readonly string[] = []): Promise<PlainServer> {
  const known = new Set(etags);
  const server: Server = createServer((req, res) => {
    req.resume();
    req.once("end", () => {
      const etag = req.headers["if-none-match"];
      if (etag !== undefined && known.has(etag)) {
        res.writeHead(304, { etag, "cache-control": "no-cache" });
        res.end();
        return;
      }
      res.writeHead(answer.status, { ...answer.headers, "content-length": String(answer.body.length) });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Fetches once and records the answer (headers the plain server should repeat: content-type, etag, cache-control). */
export async function recordAnswer(url: string, init: RequestInit): Promise<RecordedAnswer> {
  const res = await fetch(url, init);
  const body = Buffer.from(await res.arrayBuffer());
  const headers: Record<string, string> = {};
  for (const name of ["content-type", "etag", "cache-control"]) {
    const value = res.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status: res.status, headers, body };
}

const CHILD = fileURLToPath(new URL("./plain-server-child.js", import.meta.url));

/** The plain server in a child process (so that its garbage and sockets stay out of the in-process host's RSS). */
export async function startPlainServerProcess(answer: RecordedAnswer, etags: readonly string[] = []): Promise<PlainServer> {
  const child = fork(CHILD, [], { stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const origin = await new Promise<string>((resolve, reject) => {
    child.once("message", (m: unknown) => (typeof m === "string" ? resolve(m) : reject(new Error("the plain server answered no origin"))));
    child.once("exit", (code) => reject(new Error(`the plain server exited with ${String(code)}`)));
    child.send({ status: answer.status, headers: answer.headers, body: answer.body.toString("base64"), etags: [...etags] });
  });
  return {
    origin,
    async close() {
      if (child.exitCode === null) child.kill();
      await exited;
    },
  };
}
