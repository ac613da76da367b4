import { AppError } from "../core/errors.js";
import { assertWellFormedJson } from "../core/well-formed-text.js";

/** Anything with the body surface of @azure/functions' HttpRequest. */
export interface BodySource {
  readonly headers: { get(name: string): string | null };
  readonly body: ReadableStream<Uint8Array> | null;
}

/**
 * Reads the whole body up to `limit` bytes. Throws AppError too-large (413) as soon as the limit is
 * passed, without reading further, so an oversized body never sits in memory.
 */
export async function readBodyBytes(request: BodySource, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > limit) {
    throw new AppError("too-large", `The body exceeds the limit of ${limit} bytes`);
  }
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        throw new AppError("too-large", `The body exceeds the limit of ${limit} bytes`);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks, total);
}

const MAX_DEPTH = 64;

function depthOf(value: unknown, depth = 0): number {
  if (depth > MAX_DEPTH) return depth;
  if (Array.isArray(value)) return value.reduce<number>((m, v) => Math.max(m, depthOf(v, depth + 1)), depth);
  if (typeof value === "object" && value !== null) {
    return Object.values(value).reduce<number>((m, v) => Math.max(m, depthOf(v, depth + 1)), depth);
  }
  return depth;
}

/**
 * Reads a JSON body (limit in bytes). Throws 415 for a non-JSON content type, 400 for malformed JSON,
 * nesting deeper than 64, an empty body, or a string or key that is ill-formed Unicode or holds a
 * control character (tab, LF and CR allowed in strings), 413 above the limit.
 */
export async function readJsonBody(request: BodySource, limit: number): Promise<unknown> {
  const type = request.headers.get("content-type");
  if (type !== null && !/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(type.trim())) {
    throw new AppError("unsupported-media-type", "Send the body as application/json");
  }
  const bytes = await readBodyBytes(request, limit);
  if (bytes.byteLength === 0) throw new AppError("validation", "A JSON body is required", { code: "body-required" });
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("validation", "The body is not valid UTF-8", { code: "malformed-json" });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError("validation", "The body is not valid JSON", { code: "malformed-json" });
  }
  if (depthOf(parsed) > MAX_DEPTH) throw new AppError("validation", "The JSON body is nested too deeply", { code: "malformed-json" });
  assertWellFormedJson(parsed);
  return parsed;
}
