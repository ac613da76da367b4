import type { HttpResponseInit } from "@azure/functions";

/** A JSON answer. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers }, body: JSON.stringify(body) };
}

/** An empty answer (204 by default). */
export function empty(status = 204, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, headers };
}
