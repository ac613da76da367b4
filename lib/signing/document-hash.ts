import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import { validationError } from "../core/errors.js";

/** RFC 8785 canonical JSON of a value; throws AppError("validation") when it cannot be serialised. */
export function canonicalJson(value: unknown): string {
  const json = canonicalize(value);
  if (json === undefined) throw validationError("Document is not JSON-serialisable", "not-json");
  return json;
}

/** The document's `hash`: lowercase hex SHA-256 of the RFC 8785 canonical JSON of `doc` without `iat` and `hash`. */
export function hashDocument(doc: Record<string, unknown>): string {
  const { iat: _iat, hash: _hash, ...rest } = doc;
  return createHash("sha256").update(canonicalJson(rest), "utf8").digest("hex");
}
