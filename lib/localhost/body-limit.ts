import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { AppError } from "../core/errors.js";

/** What a client may still send after a refusal, read and discarded so it can see the answer before the connection closes. */
const LINGER_BYTES = 1024 * 1024;

/** The Functions host's answer to a body above FUNCTIONS_REQUEST_BODY_SIZE_LIMIT. */
export function bodyTooLarge(limit: number): AppError {
  return new AppError("too-large", `The request body exceeds ${limit} bytes, the Functions host's limit (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT)`);
}

/** True when the request declares a Content-Length above the limit (refused before any byte of the body is read). */
export function declaresTooLarge(req: IncomingMessage, limit: number): boolean {
  const declared = req.headers["content-length"];
  return declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit;
}

export interface LimitedBody {
  /** The body for the handler; it errors with a 413 AppError as soon as the streamed bytes pass the limit. */
  stream: ReadableStream<Uint8Array>;
  /** Whether the limit was passed (the host then answers 413 whatever the handler made of the error). */
  exceeded(): boolean;
}

/** Counts the body's bytes as the handler reads them (chunked bodies declare no length). */
export function limitedBody(req: IncomingMessage, limit: number): LimitedBody {
  let total = 0;
  let over = false;
  async function* chunks(): AsyncGenerator<Buffer> {
    // destroyOnReturn false: stopping early must leave the socket open for the 413 answer.
    for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      total += chunk.byteLength;
      if (total > limit) {
        over = true;
        throw bodyTooLarge(limit);
      }
      yield chunk;
    }
  }
  const stream = Readable.toWeb(Readable.from(chunks(), { objectMode: false })) as ReadableStream<Uint8Array>;
  return { stream, exceeded: () => over };
}

/**
 * After the answer, the part of the body nobody read is discarded up to `budget` bytes (the body limit
 * for a refusal within it, 1 MiB after a 413), then the connection is closed: never read whole.
 */
export function discardRest(req: IncomingMessage, overLimit: boolean, limit: number): void {
  if (req.complete) return;
  const budget = overLimit ? LINGER_BYTES : limit;
  let seen = 0;
  req.on("data", (chunk: Buffer) => {
    seen += chunk.byteLength;
    if (seen > budget) req.socket.destroy();
  });
  req.resume();
}
