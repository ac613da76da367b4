/** A strong ETag for a document hash. */
export const etagOf = (hash: string): string => `"${hash}"`;

/** True when an If-None-Match header names this ETag (weak comparison, lists and `*` understood). */
export function ifNoneMatchHits(header: string | null, etag: string): boolean {
  if (header === null) return false;
  if (header.trim() === "*") return true;
  const bare = etag.replace(/^W\//, "");
  return header.split(",").some((candidate) => candidate.trim().replace(/^W\//, "") === bare);
}
