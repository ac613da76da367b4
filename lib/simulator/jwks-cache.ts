import type { JSONWebKeySet } from "jose";
import { z } from "zod";
import { AgentHttpError, describeProblem, type AgentHttp } from "./agent-http.js";
import { parseJsonOrUndefined } from "./json.js";
import { jwksHasKid } from "./signed-document.js";

const jwksSchema = z.object({ keys: z.array(z.looseObject({ kty: z.string() })) });

/** The realm's signing keys from `GET /api/agent/v1/keys?realm=`, fetched once and refreshed when an unknown kid shows up. */
export class JwksCache {
  private current: JSONWebKeySet | undefined;
  private fetchedAtMs = 0;
  private inflight: Promise<JSONWebKeySet> | undefined;

  constructor(
    private readonly http: AgentHttp,
    private readonly realm: string,
    /** A refresh for an unknown kid happens at most this often, so a forged kid cannot make the agent hammer the server. */
    private readonly minRefreshMs = 5000,
  ) {}

  /** The key set, refreshed when it lacks `kid` (and the last fetch is old enough); throws AgentHttpError or AgentNetworkError. */
  async keysFor(kid: string | undefined): Promise<JSONWebKeySet> {
    const keys = this.current;
    if (keys !== undefined && (kid === undefined || jwksHasKid(keys, kid) || Date.now() - this.fetchedAtMs < this.minRefreshMs)) return keys;
    this.inflight ??= this.fetch().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fetch(): Promise<JSONWebKeySet> {
    const res = await this.http.text({ label: "GET /keys", method: "GET", url: `/api/agent/v1/keys?realm=${encodeURIComponent(this.realm)}` });
    if (res.status !== 200) throw new AgentHttpError("GET /keys", res.status, describeProblem(res.value));
    const parsed = jwksSchema.safeParse(parseJsonOrUndefined(res.value));
    if (!parsed.success) throw new AgentHttpError("GET /keys", res.status, "answer is not a JWKS");
    this.current = parsed.data;
    this.fetchedAtMs = Date.now();
    return this.current;
  }
}
