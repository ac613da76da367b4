/** The custom events and dimensions one KQL query names. */
export interface KqlReferences {
  events: string[];
  dimensions: string[];
}

/**
 * Reads `name == "X"` and `name in ("X", "Y")` event filters and `customDimensions.Y`,
 * `customDimensions["Y"]` / `customDimensions['Y']` dimension reads, ignoring `//` comments.
 * Returns sorted, de-duplicated names; an empty list when the query names none.
 */
export function kqlReferences(query: string): KqlReferences {
  const code = stripKqlComments(query);
  const events = new Set<string>();
  for (const m of code.matchAll(/(?<![\w.])name\s*==\s*(["'])([^"']*)\1/g)) events.add(m[2]!);
  for (const m of code.matchAll(/(?<![\w.])name\s+in\s*\(([^)]*)\)/g)) {
    for (const item of m[1]!.matchAll(/(["'])([^"']*)\1/g)) events.add(item[2]!);
  }
  const dimensions = new Set<string>();
  for (const m of code.matchAll(/customDimensions\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)/g)) dimensions.add(m[1]!);
  for (const m of code.matchAll(/customDimensions\s*\[\s*(["'])([^"']*)\1\s*\]/g)) dimensions.add(m[2]!);
  return { events: [...events].sort(), dimensions: [...dimensions].sort() };
}

// `//` starts a comment unless it is inside a string literal.
function stripKqlComments(query: string): string {
  return query
    .split("\n")
    .map((line) => {
      let quote: string | undefined;
      for (let i = 0; i < line.length; i++) {
        const c = line[i]!;
        if (quote !== undefined) {
          if (c === "\\") i++;
          else if (c === quote) quote = undefined;
        } else if (c === '"' || c === "'") quote = c;
        else if (line.startsWith("//", i)) return line.slice(0, i);
      }
      return line;
    })
    .join("\n");
}
