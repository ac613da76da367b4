import { AppError } from "../core/errors.js";

/** A parsed If-Match header: absent, "*" (any current version), or the entity tags listed (as sent, W/ kept). */
export type IfMatch = { kind: "absent" } | { kind: "any" } | { kind: "tags"; tags: string[] };

const MAX_TAGS = 16;

/**
 * Parses If-Match by RFC 9110's grammar (`"*"` or a comma-separated list of `[W/]"etagc*"`; etagc may itself be
 * a comma, so the list is tokenised, not split). Throws AppError validation "invalid-if-match" for anything else:
 * a malformed precondition is the client's error (400), while a well-formed one that matches nothing is a 412.
 */
export function parseIfMatch(header: string | null): IfMatch {
  if (header === null || header.trim() === "") return { kind: "absent" };
  const text = header.trim();
  if (text === "*") return { kind: "any" };
  const tags: string[] = [];
  let i = 0;
  const invalid = () => new AppError("validation", 'If-Match must be "*" or a list of entity tags such as W/"…" or "…"', { code: "invalid-if-match" });
  while (i < text.length) {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === ",")) i++;
    if (i >= text.length) break;
    const start = i;
    if (text.startsWith("W/", i)) i += 2;
    if (text[i] !== '"') throw invalid();
    const close = text.indexOf('"', i + 1);
    if (close < 0) throw invalid();
    const opaque = text.slice(i + 1, close);
    // etagc: %x21 / %x23-7E / obs-text; no space, no control, no DQUOTE.
    if (!/^[\x21\x23-\x7E\x80-\xFF]*$/.test(opaque)) throw invalid();
    tags.push(text.slice(start, close + 1));
    i = close + 1;
    while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
    if (i < text.length && text[i] !== ",") throw invalid();
    if (tags.length > MAX_TAGS) throw invalid();
  }
  if (tags.length === 0) throw invalid();
  return { kind: "tags", tags };
}
