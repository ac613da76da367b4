import { request } from "node:http";

/** One request as the test wants it on the wire. */
export interface RawRequest {
  method: string;
  /** The request target exactly as sent (already percent-encoded as the test wants it). */
  path: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Send the body chunked, without a Content-Length (so a server cannot refuse it by its declared size). */
  chunked?: boolean;
}

/** The answer, body fully read. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Thrown when the host neither answers nor closes within the per-request bound. */
export class HangError extends Error {
  override readonly name = "HangError";
}

/**
 * Sends one request over a fresh loopback connection, target and body byte for byte (fetch would
 * normalise the path). Rejects with HangError after `timeoutMs`, with the socket error otherwise.
 */
export async function rawRequest(port: number, req: RawRequest, timeoutMs = 10_000): Promise<RawResponse> {
  return await new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined && req.chunked !== true) headers["content-length"] = String(req.body.byteLength);
    const outgoing = request({ host: "127.0.0.1", port, method: req.method, path: req.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    const timer = setTimeout(() => {
      outgoing.destroy();
      reject(new HangError(`${req.method} ${req.path.slice(0, 200)} got no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    outgoing.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    if (req.chunked === true && req.body !== undefined) {
      const body = Buffer.from(req.body);
      const step = 64 * 1024;
      for (let at = 0; at < body.byteLength; at += step) outgoing.write(body.subarray(at, at + step));
      outgoing.end();
    } else {
      outgoing.end(req.body === undefined ? undefined : Buffer.from(req.body));
    }
  });
}
