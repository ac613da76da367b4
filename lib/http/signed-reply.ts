import type { HttpResponseInit } from "@azure/functions";
import { etagOf, ifNoneMatchHits } from "./etag.js";
import { empty } from "./reply.js";

/**
 * The answer for a signed document (config, manifest) with ETag = "<hash>": 304 with no body when the
 * caller already holds that hash (nothing is signed then), else 200 application/jose from `sign()`.
 */
export async function signedDocumentReply(ifNoneMatch: string | null, hash: string, sign: () => Promise<string>): Promise<HttpResponseInit> {
  const etag = etagOf(hash);
  const headers = { etag, "cache-control": "no-cache" };
  if (ifNoneMatchHits(ifNoneMatch, etag)) return empty(304, headers);
  return { status: 200, headers: { ...headers, "content-type": "application/jose" }, body: await sign() };
}
