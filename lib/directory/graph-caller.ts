import { RetryHandlerOptions, ResponseType, type Client, type GraphRequest } from "@microsoft/microsoft-graph-client";
import type { z } from "zod";
import { AppError } from "../core/errors.js";
import { graphIdPageSchema } from "./graph-schemas.js";

type GraphIdPage = z.infer<typeof graphIdPageSchema>;

/** Limits applied to every Graph request. */
export interface GraphCallLimits {
  /** Deadline for one request including its retries and body; on expiry the request is aborted. */
  timeoutMs: number;
  /** Retries on 429/503/504 (the SDK caps this at 10). */
  maxRetries: number;
  /** Base back-off when Graph sends no Retry-After (the SDK caps this at 180). */
  retryDelaySeconds: number;
  /** Most pages followed through @odata.nextLink before giving up. */
  maxPages: number;
}

/** Returns the AppError every Graph failure becomes: kind "upstream", code "graph-error" (HTTP 502). */
export function graphError(detail: string, options: { cause?: unknown; retryAfterSeconds?: number } = {}): AppError {
  return new AppError("upstream", detail, { code: "graph-error", ...options });
}

/** Sends GET requests through a Graph client with a deadline, bounded retries, 404-as-absent and zod validation. */
export class GraphCaller {
  private readonly origin: string;

  constructor(
    private readonly client: Client,
    baseUrl: string,
    private readonly limits: GraphCallLimits,
  ) {
    this.origin = new URL(baseUrl).origin;
  }

  /** Returns the validated body, or undefined on 404. Throws AppError "upstream" on any other status, a timeout, a transport error or a body that does not match the schema. */
  async get<T>(
    label: string,
    build: (client: Client) => GraphRequest,
    schema: z.ZodType<T>,
  ): Promise<T | undefined> {
    const controller = new AbortController();
    // Wall time, not the injected Clock: the deadline races real timers and the SDK's real retry sleeps.
    const deadline = Date.now() + this.limits.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(graphError(`Microsoft Graph did not answer within ${this.limits.timeoutMs} ms (${label}).`));
      }, this.limits.timeoutMs);
    });
    try {
      return await Promise.race([this.attempt(label, build, schema, controller.signal, deadline), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Returns every id across the pages of an id collection, or undefined when the first page is 404. Throws AppError "upstream" beyond maxPages, on a foreign nextLink, or as get() does. */
  async getAllIds(label: string, build: (client: Client) => GraphRequest): Promise<string[] | undefined> {
    let page: GraphIdPage | undefined = await this.get(label, build, graphIdPageSchema);
    if (page === undefined) return undefined;
    const ids = page.value.map((item) => item.id);
    for (let pages = 1; page["@odata.nextLink"] !== undefined; pages++) {
      const next: string = page["@odata.nextLink"];
      if (pages >= this.limits.maxPages) throw graphError(`Microsoft Graph returned more than ${this.limits.maxPages} pages (${label}).`);
      // A nextLink elsewhere would receive our bearer token's requests; only follow our own service root.
      if (!next.startsWith(`${this.origin}/`)) throw graphError(`Microsoft Graph returned a nextLink to another host (${label}).`);
      page = await this.get(label, (client) => client.api(next), graphIdPageSchema);
      if (page === undefined) throw graphError(`A page vanished while paging (${label}).`);
      ids.push(...page.value.map((item) => item.id));
    }
    return ids;
  }

  private async attempt<T>(
    label: string,
    build: (client: Client) => GraphRequest,
    schema: z.ZodType<T>,
    signal: AbortSignal,
    deadline: number,
  ): Promise<T | undefined> {
    // Retry only when the wait fits before the deadline: a longer Retry-After fails fast instead of timing out.
    const retry = new RetryHandlerOptions(this.limits.retryDelaySeconds, this.limits.maxRetries, (delay, _attempt, _req, _opts, res) => {
      const waitSeconds = retryAfterSeconds(res) ?? delay;
      return Date.now() + waitSeconds * 1000 < deadline;
    });
    let response: Response;
    try {
      response = (await build(this.client)
        .responseType(ResponseType.RAW)
        .option("signal", signal)
        .middlewareOptions([retry])
        .get()) as Response;
    } catch (e) {
      throw graphError(`Microsoft Graph could not be reached (${label}).`, { cause: e });
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel();
      const retryAfter = retryAfterSeconds(response);
      throw graphError(`Microsoft Graph answered ${response.status} (${label}).`, retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter });
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (e) {
      throw graphError(`Microsoft Graph answered with a body that is not JSON (${label}).`, { cause: e });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw graphError(`Microsoft Graph answered with an unexpected shape (${label}).`, { cause: parsed.error });
    return parsed.data;
  }
}

function retryAfterSeconds(response: Response): number | undefined {
  const header = response.headers.get("retry-after");
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
