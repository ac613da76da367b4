import { createRemoteJWKSet, type JSONWebKeySet, type RemoteJWKSet } from "jose";

export interface JwksRegistryOptions {
  /** How long fetched keys are trusted without refetching; default 24 hours. */
  cacheMaxAgeMs?: number;
  /** Least time between two fetches caused by unknown `kid`s; default 60 seconds. */
  cooldownMs?: number;
  timeoutMs?: number;
}

/** One remote key set per `jwks_uri`, shared by every tenant that points at it. */
export class JwksRegistry {
  private readonly sets = new Map<string, RemoteJWKSet>();

  constructor(private readonly options: JwksRegistryOptions = {}) {}

  /** Returns the (created on first use) key resolver for this URI; never fetches by itself. */
  resolverFor(jwksUri: string): RemoteJWKSet {
    let set = this.sets.get(jwksUri);
    if (set === undefined) {
      set = createRemoteJWKSet(new URL(jwksUri), {
        cacheMaxAge: this.options.cacheMaxAgeMs ?? 24 * 3600_000,
        cooldownDuration: this.options.cooldownMs ?? 60_000,
        timeoutDuration: this.options.timeoutMs ?? 5000,
      });
      this.sets.set(jwksUri, set);
    }
    return set;
  }

  /** Returns the cached key set of this URI, or undefined before its first fetch. */
  cachedKeys(jwksUri: string): JSONWebKeySet | undefined {
    return this.sets.get(jwksUri)?.jwks();
  }
}
