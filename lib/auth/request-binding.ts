import type { JWTPayload } from "jose";
import { unauthorized } from "../core/errors.js";

/** The request a device assertion arrived with, as the app received it. */
export interface BoundRequest {
  method: string;
  /** The absolute URL the app saw (query and fragment are ignored). */
  url: string;
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * RFC 9449 §4.3: scheme, host, port and path of an http(s) URI after syntax- and scheme-based
 * normalisation (RFC 3986 §6.2.2, §6.2.3): lowercase scheme and host, default port dropped, dot
 * segments removed, empty path "/", percent-encoded unreserved characters decoded and the other
 * escapes uppercased; query, fragment and userinfo dropped. Undefined when it is not an http(s) URI.
 */
export function normalizeHttpUri(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  const path = url.pathname.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
  return `${url.protocol}//${url.host}${path === "" ? "/" : path}`;
}

/**
 * The URIs an agent may name in `htu` for this request: the URL the app received and, when the app
 * sits behind a front end, the public base URL followed by the received path.
 */
export function acceptedRequestUris(request: BoundRequest, publicBaseUrl: string | undefined): Set<string> {
  const accepted = new Set<string>();
  const received = normalizeHttpUri(request.url);
  if (received !== undefined) accepted.add(received);
  if (publicBaseUrl !== undefined) {
    try {
      const publicUri = normalizeHttpUri(publicBaseUrl.replace(/\/+$/, "") + new URL(request.url).pathname);
      if (publicUri !== undefined) accepted.add(publicUri);
    } catch {
      // an unparsable request URL leaves only what was received
    }
  }
  return accepted;
}

/**
 * Checks the optional `htm` and `htu` claims (RFC 9449) against the request; absent claims pass.
 * Throws AppError unauthorized when one is present and malformed, unverifiable or different.
 */
export function checkRequestBinding(claims: JWTPayload, request: BoundRequest | undefined, publicBaseUrl: string | undefined): void {
  const { htm, htu } = claims;
  if (htm === undefined && htu === undefined) return;
  if (request === undefined) throw unauthorized("Assertion is bound to a request that cannot be checked here", "assertion-request-mismatch");
  if (htm !== undefined && (typeof htm !== "string" || htm !== request.method.toUpperCase())) {
    throw unauthorized("Assertion was made for another HTTP method", "assertion-request-mismatch");
  }
  if (htu !== undefined) {
    const presented = typeof htu === "string" && htu.length <= 4096 ? normalizeHttpUri(htu) : undefined;
    if (presented === undefined || !acceptedRequestUris(request, publicBaseUrl).has(presented)) {
      throw unauthorized("Assertion was made for another URL", "assertion-request-mismatch");
    }
  }
}
