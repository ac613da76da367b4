import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Which storage service a request went to. */
export type StorageService = "table" | "blob" | "queue";

/**
 * What a request did, as far as its method and URL tell: a point read, a query, an insert, a conditional update
 * (If-Match), an upsert (insert-or-replace/merge without If-Match), a delete, a batch, or housekeeping (tables,
 * containers). Blob operations are "read" (GET/HEAD), "write" (PUT) and "delete".
 */
export type StorageOperation = "read" | "query" | "insert" | "update" | "upsert" | "delete" | "batch" | "create" | "other";

/** One request the proxy forwarded. */
export interface StorageRequest {
  service: StorageService;
  method: string;
  /** Table name (with its prefix) or blob container; "" for account-level requests. */
  resource: string;
  op: StorageOperation;
  /** The storage answer's status; 0 when the upstream could not be reached. */
  status: number;
}

/** A counting proxy in front of one Azurite (or any storage account endpoint over plain HTTP on loopback). */
export interface StorageProxy {
  /** The upstream connection string with every endpoint pointing at the proxy. */
  connectionString: string;
  /** Every request forwarded so far, in arrival order (a copy). */
  requests(): StorageRequest[];
  /** How many requests have arrived so far: a mark for since(). */
  mark(): number;
  /** The requests after a mark, once every one of them has been answered. */
  since(mark: number): Promise<StorageRequest[]>;
  close(): Promise<void>;
}

const ENDPOINT_KEYS: Record<StorageService, string> = { blob: "BlobEndpoint", queue: "QueueEndpoint", table: "TableEndpoint" };

function endpointOf(connectionString: string, service: StorageService): URL | undefined {
  const raw = connectionString
    .split(";")
    .map((part) => part.split(/=(.*)/s))
    .find(([key]) => key?.toLowerCase() === ENDPOINT_KEYS[service].toLowerCase())?.[1];
  return raw === undefined ? undefined : new URL(raw);
}

/** The connection string with one service's endpoint moved to this loopback port (path and account kept). */
function withEndpointPort(connectionString: string, service: StorageService, port: number): string {
  return connectionString
    .split(";")
    .map((part) => {
      const [key, value] = part.split(/=(.*)/s);
      if (key?.toLowerCase() !== ENDPOINT_KEYS[service].toLowerCase() || value === undefined) return part;
      const url = new URL(value);
      url.hostname = "127.0.0.1";
      url.port = String(port);
      return `${key}=${url.href.replace(/\/$/, "")}`;
    })
    .join(";");
}

/** The table or container a storage URL path names (the account is the first segment with Azurite's path-style URLs). */
function resourceOf(path: string): string {
  const segments = path.split("?")[0]?.split("/").filter((s) => s !== "") ?? [];
  const name = decodeURIComponent(segments[1] ?? "");
  return name.replace(/\(.*$/s, "");
}

/** Classifies one Table or Blob request from its method, URL and headers. */
export function classifyStorageRequest(service: StorageService, method: string, path: string, headers: Record<string, string | string[] | undefined>): Omit<StorageRequest, "status"> {
  const resource = resourceOf(path);
  const base = { service, method, resource };
  const bare = path.split("?")[0] ?? "";
  if (service === "table") {
    if (resource === "$batch") return { ...base, op: "batch" };
    if (resource === "Tables") return { ...base, op: method === "GET" ? "query" : "create" };
    const entity = /\(.+\)$/s.test(bare);
    switch (method) {
      case "GET":
        return { ...base, op: entity ? "read" : "query" };
      case "POST":
        return { ...base, op: "insert" };
      case "PUT":
      case "MERGE":
      case "PATCH":
        return { ...base, op: headers["if-match"] !== undefined ? "update" : "upsert" };
      case "DELETE":
        return { ...base, op: "delete" };
      default:
        return { ...base, op: "other" };
    }
  }
  if (/[?&]restype=container/.test(path) || /[?&]comp=list/.test(path)) return { ...base, op: method === "PUT" ? "create" : "other" };
  switch (method) {
    case "GET":
    case "HEAD":
      return { ...base, op: "read" };
    case "PUT":
      return { ...base, op: "upsert" };
    case "DELETE":
      return { ...base, op: "delete" };
    default:
      return { ...base, op: "other" };
  }
}

interface Pending {
  record: StorageRequest;
  done: Promise<void>;
}

/**
 * Starts one loopback proxy per storage endpoint of the connection string (blob, queue, table) that forwards every
 * request unchanged and records it. Counting at the wire is what Azure bills and throttles, so the figures hold
 * whatever the SDK does (retries included).
 */
export async function startStorageProxy(upstreamConnectionString: string): Promise<StorageProxy> {
  const log: Pending[] = [];
  const servers: Server[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  let connectionString = upstreamConnectionString;

  for (const service of ["blob", "queue", "table"] as const) {
    const upstream = endpointOf(upstreamConnectionString, service);
    if (upstream === undefined) continue;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = req.url ?? "/";
      const record: StorageRequest = { ...classifyStorageRequest(service, req.method ?? "GET", path, req.headers), status: 0 };
      let finish!: () => void;
      const done = new Promise<void>((resolve) => (finish = resolve));
      log.push({ record, done });
      res.once("close", finish);
      const forward = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path, headers: { ...req.headers, host: upstream.host }, agent },
        (answer) => {
          record.status = answer.statusCode ?? 0;
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.once("error", () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push(server);
    const { port } = server.address() as AddressInfo;
    connectionString = withEndpointPort(connectionString, service, port);
  }

  return {
    connectionString,
    requests: () => log.map((p) => ({ ...p.record })),
    mark: () => log.length,
    async since(mark: number) {
      const slice = log.slice(mark);
      await Promise.all(slice.map((p) => p.done));
      return slice.map((p) => ({ ...p.record }));
    },
    async close() {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
      agent.destroy();
    },
  };
}

/** A short description of a request for failure messages and tables: "read Devices", "insert ReplayCache". */
export function describeStorageRequest(r: StorageRequest, tablePrefix = ""): string {
  const name = tablePrefix !== "" && r.resource.startsWith(tablePrefix) ? r.resource.slice(tablePrefix.length) : r.resource;
  return `${r.service === "table" ? "" : `${r.service} `}${r.op} ${name}`.trim();
}
