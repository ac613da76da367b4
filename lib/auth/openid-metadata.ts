import { z } from "zod";
import { AppError } from "../core/errors.js";
import type { Clock } from "../core/clock.js";

/** Finds the JWKS location of a tenant through its OpenID Connect metadata. */
export interface OpenIdMetadataSource {
  /** Returns the tenant's `jwks_uri`; throws AppError "unavailable" when the metadata cannot be fetched or is malformed. */
  jwksUriFor(tenantId: string): Promise<string>;
}

export interface OpenIdMetadataOptions {
  /** e.g. "https://login.microsoftonline.com" (no trailing slash needed). */
  authority: string;
  clock: Clock;
  /** How long a tenant's metadata is reused; default 24 hours. */
  cacheMaxAgeMs?: number;
  fetch?: typeof globalThis.fetch;
  timeoutMs?: number;
}

const Metadata = z.object({ issuer: z.string(), jwks_uri: z.string() });

/** Fetches `{authority}/{tid}/v2.0/.well-known/openid-configuration` and caches the answer per tenant. */
export class HttpOpenIdMetadataSource implements OpenIdMetadataSource {
  private readonly authority: string;
  private readonly cache = new Map<string, { jwksUri: Promise<string>; expiresAt: number }>();

  constructor(private readonly options: OpenIdMetadataOptions) {
    this.authority = trimSlash(options.authority);
  }

  jwksUriFor(tenantId: string): Promise<string> {
    const now = this.options.clock.now();
    const cached = this.cache.get(tenantId);
    if (cached !== undefined && cached.expiresAt > now) return cached.jwksUri;
    const jwksUri = this.load(tenantId);
    this.cache.set(tenantId, { jwksUri, expiresAt: now + (this.options.cacheMaxAgeMs ?? 24 * 3600_000) });
    // A failed fetch must not be remembered for a day: the next request tries again.
    jwksUri.catch(() => this.cache.delete(tenantId));
    return jwksUri;
  }

  private async load(tenantId: string): Promise<string> {
    const url = `${this.authority}/${tenantId}/v2.0/.well-known/openid-configuration`;
    const doFetch = this.options.fetch ?? globalThis.fetch;
    let body: unknown;
    try {
      const res = await doFetch(url, {
        redirect: "error",
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
        headers: { accept: "application/json" },
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      body = await res.json();
    } catch (cause) {
      throw unavailable(cause);
    }
    const parsed = Metadata.safeParse(body);
    if (!parsed.success) throw unavailable(parsed.error);
    const { issuer, jwks_uri: jwksUri } = parsed.data;
    if (issuer !== `${this.authority}/${tenantId}/v2.0`) throw unavailable(new Error("metadata issuer mismatch"));
    // Keys must come from the authority's own origin, whatever the metadata says.
    if (!sameOrigin(jwksUri, this.authority)) throw unavailable(new Error("jwks_uri outside the authority"));
    return jwksUri;
  }
}

const unavailable = (cause: unknown): AppError =>
  new AppError("unavailable", "Identity provider metadata unavailable", { retryAfterSeconds: 30, cause });

const trimSlash = (s: string): string => s.replace(/\/+$/, "");

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
