import type { TokenCredential } from "@azure/identity";
import {
  AuthenticationHandler,
  Client,
  RetryHandler,
  TelemetryHandler,
  type Context,
  type Middleware,
} from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js";

/** How to reach Graph. */
export interface GraphClientOptions {
  /** Service root without version, e.g. "https://graph.microsoft.com". Must be https: the SDK attaches tokens only to https URLs. */
  baseUrl: string;
  /** Token scopes; defaults to "{baseUrl origin}/.default". */
  scopes?: string[];
  /** The fetch that sends requests; defaults to the global fetch. Tests pass one that trusts their TLS certificate. */
  fetch?: typeof fetch;
}

/**
 * Returns a Graph client whose chain is: bearer token from the credential -> the SDK's RetryHandler
 * (429/503/504, honours Retry-After) -> client-request-id telemetry -> fetch. The base URL's host is
 * registered as a custom host so the SDK attaches tokens to it when it is not a Microsoft Graph host.
 * Throws when baseUrl is not an absolute https URL.
 */
export function createGraphClient(credential: TokenCredential, options: GraphClientOptions): Client {
  const base = new URL(options.baseUrl);
  if (base.protocol !== "https:") throw new Error(`Graph base URL must be https: ${options.baseUrl}`);
  const scopes = options.scopes ?? [`${base.origin}/.default`];
  const authProvider = new TokenCredentialAuthenticationProvider(credential, { scopes });
  const chain: Middleware[] = [
    new AuthenticationHandler(authProvider),
    new RetryHandler(),
    new TelemetryHandler(),
    new FetchHandler(options.fetch ?? globalThis.fetch),
  ];
  return Client.initWithMiddleware({
    middleware: chain,
    baseUrl: base.origin + "/",
    defaultVersion: "v1.0",
    customHosts: new Set([base.hostname]),
  });
}

/** The last link: sends the request with an injectable fetch (the SDK's own handler always uses the global one). */
class FetchHandler implements Middleware {
  constructor(private readonly send: typeof fetch) {}

  async execute(context: Context): Promise<void> {
    context.response = await this.send(context.request as string | Request, context.options);
  }
}
