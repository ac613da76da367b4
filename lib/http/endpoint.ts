import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import type { z } from "zod";
import { currentServices } from "../app/container.js";
import { AppError } from "../core/errors.js";
import type { AppServices } from "../app/services.js";
import { errorFields, type Logger } from "../telemetry/logger.js";
import type { HttpHandler } from "../registry/types.js";
import { forbidden, isAppError } from "../core/errors.js";
import { deviceRetired } from "../devices/device-retirement.js";
import { roleSatisfies } from "../auth/principals.js";
import { recordDenied, recordSuccess, type AuditDeclaration, type AuditNote } from "./audit-declaration.js";
import { realmRoleOf, type AuthRequirement } from "./auth-requirement.js";
import { readJsonBody } from "./body.js";
import { problemResponse, toAppError } from "./problem.js";
import { enforceAddressRate, enforceDeviceRate } from "./rate-limit.js";
import { requestIdFrom } from "./request-id.js";
import { resolveAuth, type AuthContext } from "./resolve-auth.js";
import { parseTolerantInput } from "./tolerant-input.js";
import { parseInput } from "./validation.js";
import { unknownFieldTallyFor } from "../telemetry/unknown-field-tally.js";
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
  /** Filled by the handler when the audit entry needs what only it knows (target, summary). */
  auditNote: AuditNote;
}

export interface EndpointSpec<S extends z.ZodType | undefined> {
  auth: AuthRequirement;
  /** Only the enroll route: a pinned-trust device may be pinned on first use (with a user of its realm). */
  pinOnFirstUse?: boolean;
  /** Anonymous routes only: charge each request to the caller's address (RJ_ANONYMOUS_RATE_PER_MINUTE). */
  perAddressLimit?: boolean;
  /** Schema of the path parameters (an object of strings); a mismatch is 400 and it is described in OpenAPI. */
  params?: z.ZodObject<Record<string, z.ZodType>>;
  /**
   * "ignore" on agent-facing bodies: unknown fields (a newer agent's) are dropped, never stored, and counted
   * in telemetry instead of refused. Admin bodies keep the default: refused.
   */
  unknownFields?: "refuse" | "ignore";
  /** Schema of a JSON body; omit for routes without one (or that stream their body themselves). */
  body?: S;
  /** Schema of the JSON answer of success, for the OpenAPI document (not enforced at run time). */
  response?: z.ZodType;
  /** Required on every admin and operator write and on secret reads (a registry test enforces it). */
  audit?: AuditDeclaration<S extends z.ZodType ? z.infer<S> : undefined>;
  handle(ctx: EndpointContext<S extends z.ZodType ? z.infer<S> : undefined>): Promise<HttpResponseInit>;
}

/** What an endpoint declares about itself, for the generated OpenAPI description. */
export interface EndpointDescription {
  auth: AuthRequirement;
  body?: z.ZodType;
  params?: z.ZodObject<Record<string, z.ZodType>>;
  response?: z.ZodType;
  audited: boolean;
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

/** A device that is not enrolled because it was retired gets "device-retired" (looked up only on that miss, never per request). */
async function retiredInstead(error: unknown, services: AppServices | undefined, auth: AuthContext | undefined): Promise<unknown> {
  if (!isAppError(error) || error.code !== "not-enrolled" || services === undefined || auth?.device === undefined) return error;
  try {
    return (await services.retiredDevices.get(auth.realmId, auth.device.deviceId)) === undefined ? error : deviceRetired();
  } catch {
    return error;
  }
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "";
  }
}

/**
 * Wraps a use-case into an HTTP handler: request id, authentication, JSON body parsing and
 * validation, and one mapping of every failure to problem+json (unknown failures: 500 without detail).
 */
export function endpoint<S extends z.ZodType | undefined = undefined>(spec: EndpointSpec<S>): HttpHandler {
  const handler: HttpHandler = async (request, invocation) => {
    const requestId = requestIdFrom(request.headers.get("x-request-id"));
    let log: Logger | undefined;
    let services: AppServices | undefined;
    let auth: AuthContext | undefined;
    const call = { functionName: invocation.functionName, route: `${request.method} ${pathOf(request.url)}`, requestId };
    try {
      const current = await currentServices();
      services = current;
      log = current.log.child({ requestId, method: request.method, route: invocation.functionName });
      if (spec.perAddressLimit === true) enforceAddressRate(current, request.headers);
      const role = realmRoleOf(spec.auth);
      // Realm-role routes authenticate the user first, so that a refusal can name who was refused.
      auth = await resolveAuth(current, request.headers, role === undefined ? spec.auth : "user", {
        allowPinOnFirstUse: spec.pinOnFirstUse === true,
        request: { method: request.method, url: request.url },
        beforeDeviceWrites: (device) => enforceDeviceRate(current, device.realmId, device.deviceId),
      });
      if (role !== undefined && !roleSatisfies(auth.user?.realmRole, role)) {
        await recordDenied(current, auth, role, { ...request.params }, call);
        throw forbidden(`Role ${role} required`);
      }
      assertPathParams(request.params);
      assertPlainValues(request.query.entries(), "query");
      assertPlainValues(request.headers.entries(), "header");
      const params: Record<string, string> = { ...request.params };
      if (spec.params !== undefined) Object.assign(params, parseInput(spec.params, params, "path"));
      let body: unknown = undefined;
      if (spec.body !== undefined) {
        const raw = await readJsonBody(request, current.settings.RJ_JSON_BODY_LIMIT_BYTES);
        if (spec.unknownFields === "ignore") {
          const parsed = parseTolerantInput(spec.body, raw);
          body = parsed.value;
          unknownFieldTallyFor(current.telemetry, current.clock).record(invocation.functionName, parsed.ignored);
        } else {
          body = parseInput(spec.body, raw);
        }
      }
      const typedBody = body as S extends z.ZodType ? z.infer<S> : undefined;
      const auditNote: AuditNote = {};
      const response = await spec.handle({ request, invocation, params, body: typedBody, auth, services: current, requestId, log, auditNote });
      const status = response.status ?? 200;
      if (spec.audit !== undefined && status < 400) await recordSuccess(current, spec.audit, { params, body: typedBody, auth, status, note: auditNote }, call);
      return withRequestId(response, requestId);
    } catch (caught) {
      const error = await retiredInstead(caught, services, auth);
      const appError = toAppError(error);
      if (appError.status >= 500) log?.log("error", "request.failed", { status: appError.status, ...errorFields(error) });
      else log?.log("info", "request.refused", { status: appError.status, code: appError.code });
      return withRequestId(problemResponse(appError, requestId), requestId);
    }
  };
  describedHandlers.set(handler, {
    auth: spec.auth,
    audited: spec.audit !== undefined,
    ...(spec.body === undefined ? {} : { body: spec.body }),
    ...(spec.params === undefined ? {} : { params: spec.params }),
    ...(spec.response === undefined ? {} : { response: spec.response }),
  });
  return handler;
}
