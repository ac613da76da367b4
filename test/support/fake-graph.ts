import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { webcrypto } from "node:crypto";
import { createServer, request as httpsRequest, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/*
 * A small Microsoft Graph v1.0 look-alike on 127.0.0.1, over TLS with a self-signed certificate
 * (the Graph SDK attaches bearer tokens only to https URLs). It answers the documented JSON shapes:
 * entities with @odata.context, collections as `value` arrays paged with @odata.nextLink, and errors
 * as {error: {code, message}}. Tests reach it with `fakeGraph.fetch`, which trusts its certificate.
 */

/** A user as Graph stores it (nulls for unset properties are filled in on the way out). */
export type FakeGraphUser = { id: string; userPrincipalName: string } & Record<string, unknown>;

export interface FakeGraphDevice {
  /** Object id. */
  id: string;
  /** Entra device id, as the agent knows it. */
  deviceId: string;
  alternativeSecurityIds: Array<{ type: number; identityProvider: string | null; key: string }>;
}

/** A scripted answer for the next request to a path: a status (with optional headers/body), a body that is not JSON, a JSON body of the wrong shape, or no answer at all. */
export type FakeGraphFault =
  | { kind: "status"; status: number; headers?: Record<string, string>; body?: unknown }
  | { kind: "not-json" }
  | { kind: "wrong-shape"; body: unknown }
  | { kind: "hang" };

export interface SeenRequest {
  method: string;
  /** Percent-decoded path, e.g. "/v1.0/users/adele@contoso.example". */
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  headers: IncomingMessage["headers"];
}

export interface FakeGraphState {
  users: FakeGraphUser[];
  /** User object id -> transitive group ids. */
  userGroups: Map<string, string[]>;
  devices: FakeGraphDevice[];
  /** Device object id -> transitive group ids. */
  deviceGroups: Map<string, string[]>;
  /** Domain name -> passwordValidityPeriodInDays (null when unset). */
  domains: Map<string, number | null>;
  recoveryKeys: Array<{ id: string; deviceId: string; createdDateTime: string; volumeType: number }>;
  /** Groups answered by GET /groups/{id} (absent: none). */
  groups?: Array<{ id: string; displayName: string }>;
}

export interface FakeGraph {
  /** https://127.0.0.1:{port} */
  baseUrl: string;
  /** A fetch that trusts the fake's certificate and honours AbortSignal. */
  fetch: typeof fetch;
  /** The directory answered to any token not in stateByToken. */
  state: FakeGraphState;
  /** Per-tenant directories, keyed by the bearer token a tenant's credential returns. */
  stateByToken: Map<string, FakeGraphState>;
  requests: SeenRequest[];
  /** Queues faults answered, in order, to the next requests whose path starts with pathPrefix (e.g. "/v1.0/users"). */
  fault(pathPrefix: string, ...faults: FakeGraphFault[]): void;
  /** Items per page in membership collections (server-driven paging, whatever $top says). */
  pageSize: number;
  close(): Promise<void>;
}

/** Returns a directory with nothing in it. */
export function emptyFakeGraphState(): FakeGraphState {
  return { users: [], userGroups: new Map(), devices: [], deviceGroups: new Map(), domains: new Map(), recoveryKeys: [] };
}

/** Starts the fake on a free loopback port. */
export async function startFakeGraph(): Promise<FakeGraph> {
  const { certPem, keyPem } = await selfSignedCertificate();
  const state = emptyFakeGraphState();
  const requests: SeenRequest[] = [];
  const faults: Array<{ prefix: string; fault: FakeGraphFault }> = [];
  const sockets = new Set<Socket>();
  let baseUrl = "";
  const fake: FakeGraph = {
    get baseUrl() {
      return baseUrl;
    },
    fetch: trustingFetch(certPem),
    state,
    stateByToken: new Map(),
    requests,
    fault: (prefix, ...list) => faults.push(...list.map((fault) => ({ prefix, fault }))),
    pageSize: 2,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };

  const server: Server = createServer({ cert: certPem, key: keyPem }, (req, res) => {
    const url = new URL(req.url ?? "/", baseUrl);
    requests.push({
      method: req.method ?? "GET",
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      authorization: req.headers.authorization,
      headers: req.headers,
    });
    const index = faults.findIndex((f) => url.pathname.startsWith(f.prefix));
    if (index >= 0) {
      const [scripted] = faults.splice(index, 1);
      if (scripted !== undefined) answerFault(res, scripted.fault);
      return;
    }
    if (req.headers.authorization === undefined || !req.headers.authorization.startsWith("Bearer ")) {
      graphError(res, 401, "InvalidAuthenticationToken", "Access token is empty.");
      return;
    }
    const token = req.headers.authorization.slice("Bearer ".length);
    route(fake, fake.stateByToken.get(token) ?? fake.state, url, res);
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no address");
  baseUrl = `https://127.0.0.1:${address.port}`;
  return fake;
}

function route(fake: FakeGraph, state: FakeGraphState, url: URL, res: ServerResponse): void {
  const segments = url.pathname.split("/").filter((s) => s !== "").map(decodeURIComponent);
  if (segments[0] !== "v1.0") return graphError(res, 400, "BadRequest", "Unsupported version");
  const [, collection, key, navigation, cast] = segments;
  const context = `${fake.baseUrl}/v1.0/$metadata`;

  if (collection === "users" && key !== undefined) {
    const user = state.users.find(
      (u) => u.id.toLowerCase() === key.toLowerCase() || u.userPrincipalName.toLowerCase() === key.toLowerCase(),
    );
    if (user === undefined) return graphError(res, 404, "Request_ResourceNotFound", `Resource '${key}' does not exist.`);
    if (navigation === undefined) return json(res, 200, { "@odata.context": `${context}#users/$entity`, ...selectFields(user, url) });
    if (navigation === "transitiveMemberOf" && cast === "microsoft.graph.group") {
      return page(fake, url, res, state.userGroups.get(user.id) ?? []);
    }
  }
  if (collection === "devices" && key === undefined) {
    const match = /^deviceId eq '([^']*)'$/.exec(url.searchParams.get("$filter") ?? "");
    if (match === null) return graphError(res, 400, "Request_UnsupportedQuery", "Unsupported filter");
    const found = state.devices.filter((d) => d.deviceId.toLowerCase() === match[1]?.toLowerCase());
    return json(res, 200, { "@odata.context": `${context}#devices`, value: found.map((d) => selectFields(d, url)) });
  }
  if (collection === "devices" && key !== undefined && navigation === "transitiveMemberOf" && cast === "microsoft.graph.group") {
    if (!state.devices.some((d) => d.id === key)) return graphError(res, 404, "Request_ResourceNotFound", "No device");
    return page(fake, url, res, state.deviceGroups.get(key) ?? []);
  }
  if (collection === "groups" && key !== undefined && navigation === undefined) {
    const group = (state.groups ?? []).find((g) => g.id.toLowerCase() === key.toLowerCase());
    if (group === undefined) return graphError(res, 404, "Request_ResourceNotFound", `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`);
    return json(res, 200, { "@odata.context": `${context}#groups/$entity`, ...selectFields(group, url) });
  }
  if (collection === "domains" && key !== undefined) {
    if (!state.domains.has(key.toLowerCase())) return graphError(res, 404, "Request_ResourceNotFound", "No domain");
    return json(res, 200, {
      "@odata.context": `${context}#domains/$entity`,
      id: key.toLowerCase(),
      passwordValidityPeriodInDays: state.domains.get(key.toLowerCase()) ?? null,
    });
  }
  if (url.pathname === "/v1.0/informationProtection/bitlocker/recoveryKeys") {
    if ((url.searchParams.get("$select") ?? "").split(",").includes("key")) {
      return graphError(res, 400, "BadRequest", "$select=key is not allowed in this fake");
    }
    const match = /^deviceId eq '([^']*)'$/.exec(url.searchParams.get("$filter") ?? "");
    const keys = state.recoveryKeys.filter((k) => match === null || k.deviceId === match[1]);
    return json(res, 200, { "@odata.context": `${context}#informationProtection/bitlocker/recoveryKeys`, value: keys });
  }
  graphError(res, 400, "BadRequest", `Unsupported path ${url.pathname}`);
}

function page(fake: FakeGraph, url: URL, res: ServerResponse, groupIds: string[]): void {
  const skip = Number(url.searchParams.get("$skiptoken") ?? "0");
  const slice = groupIds.slice(skip, skip + fake.pageSize);
  const body: Record<string, unknown> = {
    "@odata.context": `${fake.baseUrl}/v1.0/$metadata#directoryObjects(id)`,
    value: slice.map((id) => ({ "@odata.type": "#microsoft.graph.group", id })),
  };
  if (skip + fake.pageSize < groupIds.length) {
    const next = new URL(url.toString());
    next.searchParams.set("$skiptoken", String(skip + fake.pageSize));
    body["@odata.nextLink"] = `${fake.baseUrl}${next.pathname}${next.search}`;
  }
  json(res, 200, body);
}

function selectFields(entity: object, url: URL): Record<string, unknown> {
  const select = url.searchParams.get("$select");
  if (select === null) return { ...entity };
  const source = entity as Record<string, unknown>;
  return Object.fromEntries(select.split(",").map((name) => [name, source[name] ?? null]));
}

function answerFault(res: ServerResponse, fault: FakeGraphFault): void {
  switch (fault.kind) {
    case "hang":
      return;
    case "not-json":
      res.writeHead(200, { "content-type": "application/json" }).end("{ this is not json");
      return;
    case "wrong-shape":
      json(res, 200, fault.body);
      return;
    case "status":
      res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers });
      res.end(JSON.stringify(fault.body ?? { error: { code: "FaultInjected", message: `Injected ${fault.status}` } }));
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json;odata.metadata=minimal" }).end(JSON.stringify(body));
}

function graphError(res: ServerResponse, status: number, code: string, message: string): void {
  json(res, status, {
    error: { code, message, innerError: { date: new Date().toISOString(), "request-id": "00000000-0000-0000-0000-000000000000" } },
  });
}

async function selfSignedCertificate(): Promise<{ certPem: string; keyPem: string }> {
  const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: "CN=fake-graph",
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 24 * 3600_000),
      keys,
      signingAlgorithm: alg,
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: "ip", value: "127.0.0.1" }])],
    },
    webcrypto,
  );
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  return { certPem: cert.toString("pem"), keyPem: x509.PemConverter.encode(pkcs8, "PRIVATE KEY") };
}

/** A minimal fetch over node:https that trusts one certificate; enough for the Graph SDK's GET requests. */
function trustingFetch(caPem: string): typeof fetch {
  const send = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
      const headers = new Headers(init?.headers);
      const signal = init?.signal ?? undefined;
      if (signal?.aborted) return reject(abortReason(signal));
      const req = httpsRequest(
        url,
        { method: init?.method ?? "GET", headers: Object.fromEntries(headers.entries()), ca: caPem },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
          incoming.on("error", reject);
          incoming.on("end", () => {
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(incoming.headers)) {
              if (typeof value === "string") responseHeaders.set(name, value);
            }
            const status = incoming.statusCode ?? 500;
            const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
            resolve(new Response(body, { status, headers: responseHeaders }));
          });
        },
      );
      signal?.addEventListener("abort", () => {
        req.destroy();
        reject(abortReason(signal));
      });
      req.on("error", reject);
      req.end();
    });
  return send;
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error("The request was aborted");
}
