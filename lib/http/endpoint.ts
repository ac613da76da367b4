import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import type { z } from "zod";
import { currentServices } from "../app/container.js";
import { AppError } from "../core/errors.js";
import type { AppServices } from "../app/services.js";
import { errorFields, type Logger } from "../telemetry/logger.js";
import type { HttpHandler } from "../registry/types.js";
import type { AuthRequirement } from "./auth-requirement.js";
import { readJsonBody } from "./body.js";
import { problemResponse, toAppError } from "./problem.js";
import { enforceDeviceRate } from "./rate-limit.js";
import { requestIdFrom } from "./request-id.js";
import { resolveAuth, type AuthContext } from "./resolve-auth.js";
import { parseInput } from "./validation.js";
import { assertPlainValues } from "../core/well-formed-text.js";

export interface EndpointContext<B> {
  request: HttpRequest;
  invocation: InvocationContext;
  params: Record<string, string>;
  body: B;
  auth: AuthContext;
  services: AppServices;
  requestId: string;
  log: Logger;
}

export interface EndpointSpec<S extends z.ZodType | undefined> {
  auth: AuthRequirement;
  /** Only the enroll route: a pinned-trust device may be pinned on first use (with a user of its realm). */
  pinOnFirstUse?: boolean;
  /** Schema of a JSON body; omit for routes without one (or that stream their body themselves). */
  body?: S;
  handle(ctx: EndpointContext<S extends z.ZodType ? z.infer<S> : undefined>): Promise<HttpResponseInit>;
}

/** What an endpoint declares about itself, for the generated OpenAPI description. */
export interface EndpointDescription {
  auth: AuthRequirement;
  body?: z.ZodType;
}

const describedHandlers = new WeakMap<HttpHandler, EndpointDescription>();

/** The declaration behind a handler made by endpoint(); undefined for any other handler. */
export function describeEndpoint(handler: HttpHandler): EndpointDescription | undefined {
  return describedHandlers.get(handler);
}

// No path parameter of any route is longer (package ids 100, versions 64, scopes 134, step ids ~115): longer
// ones are refused before a route builds a storage key or a message from them.
const MAX_PATH_PARAM_CHARS = 256;

function assertPathParams(params: Record<string, string>): void {
  for (const [name, value] of Object.entries(params)) {
    if (value.length > MAX_PATH_PARAM_CHARS) {
      throw new AppError("validation", `The path parameter ${name} is longer than ${MAX_PATH_PARAM_CHARS} characters`, { code: "invalid-path" });
    }
  }
  assertPlainValues(Object.entries(params), "path");
}

function withRequestId(response: HttpResponseInit, requestId: string): HttpResponseInit {
  const headers = new Headers(response.headers);
  headers.set("x-request-id", requestId);
  return { ...response, headers: Object.fromEntries(headers.entries()) };
}

/**
 * Wraps a use-case into an HTTP handler: request id, authentication, JSON body parsing and
 * validation, and one mapping of every failure to problem+json (unknown failures: 500 without detail).
 */
export function endpoint<S extends z.ZodType | undefined = undefined>(spec: EndpointSpec<S>): HttpHandler {
  const handler: HttpHandler = async (request, invocation) => {
    const requestId = requestIdFrom(request.headers.get("x-request-id"));
    let log: Logger | undefined;
    try {
      const services = await currentServices();
      log = services.log.child({ requestId, method: request.method, route: invocation.functionName });
      const auth = await resolveAuth(services, request.headers, spec.auth, { allowPinOnFirstUse: spec.pinOnFirstUse === true });
      enforceDeviceRate(services, auth);
      assertPathParams(request.params);
      assertPlainValues(request.query.entries(), "query");
      assertPlainValues(request.headers.entries(), "header");
      let body: unknown = undefined;
      if (spec.body !== undefined) {
        const raw = await readJsonBody(request, services.settings.RJ_JSON_BODY_LIMIT_BYTES);
        body = parseInput(spec.body, raw);
      }
      const response = await spec.handle({
        request,
        invocation,
        params: { ...request.params },
        body: body as S extends z.ZodType ? z.infer<S> : undefined,
        auth,
        services,
        requestId,
        log,
      });
      return withRequestId(response, requestId);
    } catch (error) {
      const appError = toAppError(error);
      if (appError.status >= 500) log?.log("error", "request.failed", { status: appError.status, ...errorFields(error) });
      else log?.log("info", "request.refused", { status: appError.status, code: appError.code });
      return withRequestId(problemResponse(appError, requestId), requestId);
    }
  };
  describedHandlers.set(handler, { auth: spec.auth, ...(spec.body === undefined ? {} : { body: spec.body }) });
  return handler;
}
