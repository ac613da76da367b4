import type { Telemetry } from "./telemetry.js";

// Ids in paths (GUIDs, UPNs) would make every call its own operation name (":" survives URL encoding, braces do not).
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const UPN = /[^/@]+@[^/]+/g;

/** The path of a URL with ids replaced by ":id"; never the query (it may hold filters with ids or tokens). */
export function operationPath(url: URL): string {
  return decodeURIComponent(url.pathname).replace(GUID, ":id").replace(UPN, ":id");
}

function urlOf(input: string | URL | Request): URL {
  if (input instanceof URL) return input;
  return new URL(typeof input === "string" ? input : input.url);
}

/**
 * A fetch that reports each call to telemetry as an HTTP dependency (Node's fetch is not covered by
 * the Application Insights auto-collection). Returns the response or rethrows the error unchanged.
 */
export function trackedFetch(telemetry: Telemetry, inner: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    const started = performance.now();
    const url = urlOf(input);
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    const report = (resultCode: string, success: boolean): void => {
      try {
        telemetry.dependency?.({ type: "HTTP", target: url.host, method: method.toUpperCase(), path: operationPath(url), durationMs: Math.round(performance.now() - started), resultCode, success });
      } catch {
        // Telemetry never breaks a call.
      }
    };
    try {
      const response = await inner(input, init);
      report(String(response.status), response.ok || response.status === 404);
      return response;
    } catch (error) {
      report(error instanceof Error ? error.name : "error", false);
      throw error;
    }
  };
}
