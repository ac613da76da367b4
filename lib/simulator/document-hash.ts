import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

/**
 * The agent's own recomputation of a signed document's `hash` (API.md): lowercase hex SHA-256 of the RFC 8785
 * canonical JSON of the payload without `iat` and `hash`. Throws TypeError when the payload is not JSON-serialisable.
 */
export function recomputeDocumentHash(payload: Record<string, unknown>): string {
  const { iat: _iat, hash: _hash, ...rest } = payload;
  const json = canonicalize(rest);
  if (json === undefined) throw new TypeError("document is not JSON-serialisable");
  return createHash("sha256").update(json, "utf8").digest("hex");
}
