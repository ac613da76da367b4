import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** One entry of a Bicep object literal: the value's source text, and its text when it is a plain string literal. */
export interface BicepEntry {
  text: string;
  /** The string's content when the value is one single-quoted string without interpolation; undefined otherwise. */
  literal: string | undefined;
}

/** Reads a Bicep file of the repository's infra/ folder; throws when it does not exist. */
export function readInfraFile(root: string, relativePath: string): string {
  return readFileSync(join(root, "infra", relativePath), "utf8");
}

/** Every .bicep file under infra/, as paths relative to infra/. */
export function listBicepFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(root, "infra", relative), { withFileTypes: true })) {
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".bicep")) found.push(path);
    }
  };
  walk("");
  return found.sort();
}

/** The source with `//` and `/* *\/` comments blanked out (strings untouched, line breaks kept). */
export function stripBicepComments(source: string): string {
  let out = "";
  let i = 0;
  while (i < source.length) {
    if (source.startsWith("//", i)) {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (source.startsWith("/*", i)) {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else if (source[i] === "'") {
      const end = skipString(source, i);
      out += source.slice(i, end);
      i = end;
    } else {
      out += source[i];
      i++;
    }
  }
  return out;
}

/**
 * The top-level entries of `var <name> = { ... }`, in order. Exact for the newline-separated form with
 * identifier or quoted keys; throws when the variable is absent, declared twice, or its object uses
 * commas, spreads or anything else whose keys could not be read literally.
 */
export function readObjectVariable(source: string, name: string): Map<string, BicepEntry> {
  const code = stripBicepComments(source);
  const declaration = new RegExp(`^\\s*var\\s+${name}\\s*=\\s*\\{`, "gm");
  const matches = [...code.matchAll(declaration)];
  if (matches.length !== 1) throw new Error(`expected one "var ${name} = {", found ${matches.length}`);
  const match = matches[0]!;
  return readObjectEntries(code, match.index + match[0].length);
}

// `start` is just after the object's opening brace.
function readObjectEntries(code: string, start: number): Map<string, BicepEntry> {
  const entries = new Map<string, BicepEntry>();
  let i = start;
  for (;;) {
    while (i < code.length && /\s/.test(code[i]!)) i++;
    if (i >= code.length) throw new Error("unterminated object");
    if (code[i] === "}") return entries;
    const keyMatch = /^(?:([A-Za-z_][A-Za-z0-9_]*)|'([^'\\$]*)')\s*:/.exec(code.slice(i));
    if (!keyMatch) throw new Error(`cannot read an object key at: ${code.slice(i, i + 40)}`);
    const key = keyMatch[1] ?? keyMatch[2]!;
    if (entries.has(key)) throw new Error(`duplicate key ${key}`);
    i += keyMatch[0].length;
    const valueStart = i;
    i = skipValue(code, i);
    const text = code.slice(valueStart, i).trim();
    if (text === "") throw new Error(`key ${key} has no value`);
    entries.set(key, { text, literal: plainLiteral(text) });
  }
}

// Advances over one value: up to the line break (or the object's closing brace) at depth zero.
function skipValue(code: string, i: number): number {
  let depth = 0;
  while (i < code.length) {
    const c = code[i]!;
    if (c === "'") {
      i = skipString(code, i);
      continue;
    }
    if (c === "{" || c === "[" || c === "(") depth++;
    else if (c === "}" || c === "]" || c === ")") {
      if (depth === 0) return i;
      depth--;
    } else if (depth === 0 && c === "\n") return i;
    else if (depth === 0 && c === ",") throw new Error("comma-separated object entries are not read by this extractor");
    i++;
  }
  return i;
}

// `i` is at an opening quote; returns the index just after the closing one.
function skipString(code: string, i: number): number {
  if (code.startsWith("'''", i)) {
    const end = code.indexOf("'''", i + 3);
    if (end === -1) throw new Error("unterminated multi-line string");
    return end + 3;
  }
  i++;
  while (i < code.length) {
    const c = code[i]!;
    if (c === "\\") i += 2;
    else if (c === "'") return i + 1;
    else if (code.startsWith("${", i)) i = skipInterpolation(code, i + 2);
    else i++;
  }
  throw new Error("unterminated string");
}

// `i` is just after `${`; returns the index just after the matching `}`.
function skipInterpolation(code: string, i: number): number {
  let depth = 0;
  while (i < code.length) {
    const c = code[i]!;
    if (c === "'") {
      i = skipString(code, i);
      continue;
    }
    if (c === "{") depth++;
    else if (c === "}") {
      if (depth === 0) return i + 1;
      depth--;
    }
    i++;
  }
  throw new Error("unterminated interpolation");
}

function plainLiteral(text: string): string | undefined {
  // Escaped strings are left out rather than half-decoded.
  const m = /^'((?:[^'\\$]|\$(?!\{))*)'$/.exec(text);
  return m ? m[1] : undefined;
}

/**
 * The items of `var <name> = [ ... ]` when every item is a plain single-quoted string on its own line (or the
 * array is empty); throws when the variable is absent, declared twice, or holds anything else.
 */
export function readStringArrayVariable(source: string, name: string): string[] {
  const code = stripBicepComments(source);
  const declaration = new RegExp(`^\\s*var\\s+${name}\\s*=\\s*\\[([^\\]]*)\\]`, "gm");
  const matches = [...code.matchAll(declaration)];
  if (matches.length !== 1) throw new Error(`expected one "var ${name} = [...]", found ${matches.length}`);
  const items: string[] = [];
  for (const line of matches[0]![1]!.split("\n").map((l) => l.trim()).filter((l) => l !== "")) {
    const literal = /^'([^'\\$]*)'$/.exec(line);
    if (!literal) throw new Error(`var ${name}: not a plain string item: ${line}`);
    items.push(literal[1]!);
  }
  return items;
}
