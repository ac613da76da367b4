import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import type { HttpRequestInit } from "@azure/functions";
import { HttpRequest, HttpResponse, InvocationContext } from "../registry/azure-functions.js";
import { withServices } from "../app/container.js";
import type { AppServices } from "../app/services.js";
import { AppError } from "../core/errors.js";
import { PROBLEM_TYPE_BASE, problemResponse } from "../http/problem.js";
import { requestIdFrom } from "../http/request-id.js";
import type { Router } from "../http/router.js";
import { errorFields } from "../telemetry/logger.js";
import type { HttpFunctionEntry } from "../registry/types.js";
import { bodyTooLarge, declaresTooLarge, discardRest, limitedBody, type LimitedBody } from "./body-limit.js";

/** The library's constructor also takes a native fetch Request, which lets the body stay a stream. */
type StreamingRequestInit = HttpRequestInit & { nativeRequest: Request };

export interface HttpHostOptions {
  port: number;
  host?: string;
  /** The host's routing over every HTTP function, the catch-all included (registry/not-found.ts routerFor). */
  router: Router<HttpFunctionEntry>;
  services: AppServices;
  /** Idle socket timeout (a client that stops sending); 30 s by default. */
  idleTimeoutMs?: number;
}

function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    const value = req.rawHeaders[i + 1];
    if (name !== undefined && value !== undefined) headers.append(name, value);
  }
  return headers;
}

// As App Service's front end does: the connecting address is appended, so the rightmost entry is the one a caller cannot choose.
function withForwardedFor(headers: Headers, address: string | undefined): Headers {
  if (address !== undefined) headers.append("x-forwarded-for", address);
  return headers;
}

type ResponseInit = Awaited<ReturnType<HttpFunctionEntry["handler"]>>;

async function writeResponse(res: ServerResponse, init: ResponseInit, method: string): Promise<void> {
  const response = new HttpResponse(init);
  res.statusCode = response.status ?? 200;
  for (const [name, value] of response.headers.entries()) res.setHeader(name, value);
  for (const cookie of response.cookies) res.appendHeader("set-cookie", `${cookie.name}=${cookie.value}`);
  // Whole bodies go out with their Content-Length (PeerDist answers must carry it); streams are chunked.
  if (typeof init.body === "string" || init.body instanceof Uint8Array) {
    const bytes = typeof init.body === "string" ? Buffer.from(init.body) : init.body;
    res.setHeader("content-length", String(bytes.byteLength));
    res.end(method === "HEAD" ? undefined : bytes);
    return;
  }
  if (response.body === null || method === "HEAD") {
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const body = Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>);
    body.on("error", reject);
    res.on("close", resolve);
    body.pipe(res);
  });
}

function problemInit(error: AppError, requestId: string): ReturnType<typeof problemResponse> {
  const init = problemResponse(error, requestId);
  return { ...init, headers: { ...(init.headers as Record<string, string>), "x-request-id": requestId } };
}

/** Serves the registry's HTTP functions on node:http, with @azure/functions' own request and context types. */
export function startHttpHost(options: HttpHostOptions): Promise<Server> {
  const { router, services } = options;
  const bodyLimit = services.settings.FUNCTIONS_REQUEST_BODY_SIZE_LIMIT;
  const server = createServer((req, res) => {
    void (async () => {
      const method = (req.method ?? "GET").toUpperCase();
      const requestId = requestIdFrom(req.headers["x-request-id"] === undefined ? null : String(req.headers["x-request-id"]));
      let body: LimitedBody | undefined;
      try {
        if (declaresTooLarge(req, bodyLimit)) throw bodyTooLarge(bodyLimit);
        let url: URL;
        try {
          // Like the Functions host, the request URL names the host the client addressed (device assertions' htu is checked against it).
          url = new URL(req.url ?? "/", `http://${req.headers.host ?? `${options.host ?? "localhost"}:${options.port}`}`);
        } catch {
          throw new AppError("validation", "Malformed request target");
        }
        const result = router.match(method, url.pathname);
        if (result.kind === "not-found") throw new AppError("not-found", "No such route");
        if (result.kind === "method-not-allowed") {
          throw new AppError("method-not-allowed", `${method} is not allowed here; use ${result.allowed.join(", ")}`, { extensions: { allow: result.allowed } });
        }
        const { value: entry, params } = result.match;
        const hasBody = method !== "GET" && method !== "HEAD";
        body = hasBody ? limitedBody(req, bodyLimit) : undefined;
        const nativeRequest = new Request(url, {
          method,
          headers: withForwardedFor(headersOf(req), req.socket.remoteAddress),
          ...(body !== undefined ? { body: body.stream, duplex: "half" } : {}),
        });
        const init: StreamingRequestInit = { nativeRequest, params };
        const request = new HttpRequest(init);
        const invocation = new InvocationContext({
          invocationId: randomUUID(),
          functionName: entry.name,
          logHandler: (level, ...args) => services.log.log(level === "error" ? "error" : level === "warning" ? "warn" : "debug", "function.log", { function: entry.name, message: args.map(String).join(" ") }),
        });
        const response = await withServices(services, () => entry.handler(request, invocation));
        // Past the limit the host answers 413, whatever the handler made of its body's error.
        if (body?.exceeded() === true) throw bodyTooLarge(bodyLimit);
        // A body the handler left unread (a refusal before reading it) makes the connection unusable.
        if (hasBody && !req.complete) res.setHeader("connection", "close");
        await writeResponse(res, response, method);
        discardRest(req, false, bodyLimit);
      } catch (error) {
        const overLimit = body?.exceeded() === true || (error instanceof AppError && error.kind === "too-large" && declaresTooLarge(req, bodyLimit));
        const appError = overLimit ? bodyTooLarge(bodyLimit) : error instanceof AppError ? error : new AppError("internal", "An unexpected error occurred");
        if (!(error instanceof AppError) && !overLimit) services.log.log("error", "host.failed", errorFields(error));
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (!req.complete) res.setHeader("connection", "close");
        await writeResponse(res, problemInit(appError, requestId), method).catch(() => res.destroy());
        discardRest(req, overLimit, bodyLimit);
      }
    })();
  });
  // Requests Node's parser refuses (oversized headers, a garbage request line) never reach a handler;
  // they still get problem+json, then the connection is closed.
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    // On a reused keep-alive connection the finished response leaves _httpMessage null (not undefined): that
    // socket is free to answer too. Only a response still in flight (pipelining) must not be interleaved.
    if (!socket.writable || (socket as { _httpMessage?: unknown })._httpMessage != null) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify({
      type: `${PROBLEM_TYPE_BASE}${tooLarge ? "headers-too-large" : "malformed-request"}`,
      title: tooLarge ? "Request Header Fields Too Large" : "Bad Request",
      status,
      detail: tooLarge ? "The request line or headers are too large" : "The request could not be parsed",
    });
    socket.end(
      `HTTP/1.1 ${status} ${tooLarge ? "Request Header Fields Too Large" : "Bad Request"}\r\ncontent-type: application/problem+json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${randomUUID()}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  server.headersTimeout = 15_000;
  server.requestTimeout = 15 * 60_000;
  // Idle sockets (a slow client that stops sending its body) are closed after 30 s.
  server.timeout = options.idleTimeoutMs ?? 30_000;
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}
