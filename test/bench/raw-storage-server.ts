import { fork } from "node:child_process";
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { TableClient } from "@azure/data-tables";

/** What the raw-storage server needs: the storage it uses and the devices whose rows it reads. */
export interface RawStorageServerInput {
  connectionString: string;
  /** Prefix of its own two tables (kept apart from the host's). */
  tablePrefix: string;
  deviceIds: string[];
}

/** A running raw-storage server. */
export interface RawStorageServer {
  origin: string;
  close(): Promise<void>;
}

const ASSERTION_HEADER = "x-rj-device-assertion";

function subjectOf(assertion: string): string {
  try {
    const claims = JSON.parse(Buffer.from(assertion.split(".")[1] ?? "", "base64url").toString("utf8")) as { sub?: unknown };
    return typeof claims.sub === "string" ? claims.sub.toLowerCase() : "";
  } catch {
    return "";
  }
}

/**
 * The fair floor of an agent poll: a plain node:http server that, per request, does exactly the storage work no
 * design can avoid (insert the assertion's id into a replay table, then read the device row) against the same
 * storage, and answers 304 to a request with If-None-Match (200 with a small body otherwise). It checks no signature
 * and computes no document: what it costs is the storage floor plus node:http.
 */
export async function startRawStorageServer(input: RawStorageServerInput): Promise<RawStorageServer> {
  const options = { allowInsecureConnection: true, retryOptions: { maxRetries: 2 } };
  const replay = TableClient.fromConnectionString(input.connectionString, `${input.tablePrefix}RawReplay`, options);
  const devices = TableClient.fromConnectionString(input.connectionString, `${input.tablePrefix}RawDevices`, options);
  await replay.createTable();
  await devices.createTable();
  for (const id of input.deviceIds) await devices.upsertEntity({ partitionKey: "devices", rowKey: id.toLowerCase(), enrolledAt: new Date().toISOString(), lastSequence: 0 });
  const server: Server = createServer((req, res) => {
    req.resume();
    req.once("end", () => {
      const assertion = String(req.headers[ASSERTION_HEADER] ?? "");
      const jti = createHash("sha256").update(assertion).digest("hex");
      replay
        .createEntity({ partitionKey: "realm", rowKey: jti, expiresAt: new Date(Date.now() + 600_000) })
        .then(() => devices.getEntity("devices", subjectOf(assertion)))
        .then(
          () => {
            const etag = req.headers["if-none-match"];
            if (etag !== undefined) res.writeHead(304, { etag, "cache-control": "no-cache" }).end();
            else res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
          },
          (error: unknown) => {
            const status = typeof error === "object" && error !== null && "statusCode" in error ? Number(error.statusCode) : 500;
            res.writeHead(status === 409 ? 401 : 500).end();
          },
        );
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

const CHILD = fileURLToPath(new URL("./raw-storage-child.js", import.meta.url));

/** The raw-storage server in its own process, like the plain server (its sockets and garbage stay out of the host's). */
export async function startRawStorageServerProcess(input: RawStorageServerInput): Promise<RawStorageServer> {
  const child = fork(CHILD, [], { stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const origin = await new Promise<string>((resolve, reject) => {
    child.once("message", (m: unknown) => (typeof m === "string" ? resolve(m) : reject(new Error("the raw-storage server answered no origin"))));
    child.once("exit", (code) => reject(new Error(`the raw-storage server exited with ${String(code)}`)));
    child.send(input);
  });
  return {
    origin,
    async close() {
      if (child.exitCode === null) child.kill();
      await exited;
    },
  };
}
