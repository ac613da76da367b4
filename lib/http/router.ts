/**
 * The Azure Functions host's HTTP routing, reproduced: functions are tried in the order of their names
 * (ordinal, case-insensitive) and the first whose route template and method match takes the request,
 * however specific a later template is (azure-functions-host #3153, #9876). Templates use ASP.NET Core
 * syntax: literals (case-insensitive), `{name}`, `{name?}`, `{name=default}`, `{name:constraint}`,
 * `{*rest}`. The local host routes with this module and the host-rule test applies it to the metadata
 * the real host receives, so both hosts agree by construction.
 */

type Constraint = (value: string) => boolean;

interface ParamSegment {
  kind: "param";
  name: string;
  optional: boolean;
  defaultValue: string | undefined;
  catchAll: boolean;
  constraints: Constraint[];
}

type Segment = { kind: "literal"; value: string } | ParamSegment;

export interface CompiledTemplate {
  template: string;
  segments: Segment[];
}

export interface RouteMatch<T> {
  name: string;
  value: T;
  params: Record<string, string>;
}

export type RouteResult<T> =
  | { kind: "match"; match: RouteMatch<T> }
  | { kind: "method-not-allowed"; allowed: string[] }
  | { kind: "not-found" };

/** A template the host would not accept, or one this router cannot reproduce faithfully. */
export class RouteTemplateError extends Error {
  override readonly name = "RouteTemplateError";
}

/** The host's function order: ordinal, case-insensitive (.NET OrdinalIgnoreCase compares upper-cased). */
export function compareFunctionNames(a: string, b: string): number {
  const x = a.toUpperCase();
  const y = b.toUpperCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

const INT32 = { min: -(2n ** 31n), max: 2n ** 31n - 1n };
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };

function integer(value: string, range: { min: bigint; max: bigint }): bigint | undefined {
  const trimmed = value.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) return undefined;
  const n = BigInt(trimmed);
  return n < range.min || n > range.max ? undefined : n;
}

const GUID_FORMS = [
  /^[0-9a-f]{32}$/i,
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/i,
  /^\([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)$/i,
];

function numberArgs(name: string, args: string[], count: number[]): bigint[] {
  const values = args.map((a) => integer(a, INT64));
  if (!count.includes(args.length) || values.some((v) => v === undefined)) {
    throw new RouteTemplateError(`constraint "${name}" takes ${count.join(" or ")} integer argument(s)`);
  }
  return values as bigint[];
}

/** The ASP.NET Core inline constraints this router implements; any other is refused. */
function constraintFor(name: string, args: string[] | undefined): Constraint {
  const lower = name.toLowerCase();
  const noArgs = (c: Constraint): Constraint => {
    if (args !== undefined) throw new RouteTemplateError(`constraint "${name}" takes no arguments`);
    return c;
  };
  switch (lower) {
    case "int":
      return noArgs((v) => integer(v, INT32) !== undefined);
    case "long":
      return noArgs((v) => integer(v, INT64) !== undefined);
    case "bool":
      return noArgs((v) => /^\s*(true|false)\s*$/i.test(v));
    case "guid":
      return noArgs((v) => GUID_FORMS.some((f) => f.test(v.trim())));
    case "alpha":
      return noArgs((v) => /^[a-z]*$/i.test(v));
    case "required":
      return noArgs((v) => v.length > 0);
    case "length": {
      const [a, b] = numberArgs(name, args ?? [], [1, 2]).map(Number);
      return b === undefined ? (v) => v.length === a : (v) => v.length >= (a ?? 0) && v.length <= b;
    }
    case "minlength": {
      const [a] = numberArgs(name, args ?? [], [1]).map(Number);
      return (v) => v.length >= (a ?? 0);
    }
    case "maxlength": {
      const [a] = numberArgs(name, args ?? [], [1]).map(Number);
      return (v) => v.length <= (a ?? 0);
    }
    case "min":
    case "max":
    case "range": {
      const bounds = numberArgs(name, args ?? [], lower === "range" ? [2] : [1]);
      const min = lower === "max" ? INT64.min : (bounds[0] ?? 0n);
      const max = lower === "min" ? INT64.max : (bounds[lower === "range" ? 1 : 0] ?? 0n);
      return (v) => {
        const n = integer(v, INT64);
        return n !== undefined && n >= min && n <= max;
      };
    }
    default:
      throw new RouteTemplateError(`constraint "${name}" is not supported (use int, long, bool, guid, alpha, required, length, minlength, maxlength, min, max or range)`);
  }
}

const PARAM = /^\{(\*{1,2})?([A-Za-z_][A-Za-z0-9_]*)((?::[A-Za-z]+(?:\([^()]*\))?)*)(\?|=[^{}]*)?\}$/;

function parseParam(text: string): ParamSegment {
  const m = PARAM.exec(text);
  if (m === null) throw new RouteTemplateError(`"${text}" is not a route parameter this router understands`);
  const [, stars, name = "", constraintText = "", suffix] = m;
  const constraints = [...constraintText.matchAll(/:([A-Za-z]+)(?:\(([^()]*)\))?/g)].map((c) =>
    constraintFor(c[1] ?? "", c[2] === undefined ? undefined : c[2].split(",").map((s) => s.trim())),
  );
  const catchAll = stars !== undefined;
  if (catchAll && suffix === "?") throw new RouteTemplateError(`the catch-all "${text}" cannot be optional`);
  return {
    kind: "param",
    name,
    optional: suffix === "?" || catchAll,
    defaultValue: suffix?.startsWith("=") === true ? suffix.slice(1) : undefined,
    catchAll,
    constraints,
  };
}

/** Parses a route template as the host would; throws RouteTemplateError for what the host (or this router) refuses. */
export function compileRouteTemplate(template: string): CompiledTemplate {
  const trimmed = template.replace(/^\/+|\/+$/g, "");
  if (trimmed.includes("//")) throw new RouteTemplateError(`the separator "/" cannot appear twice in a row`);
  const parts = trimmed === "" ? [] : trimmed.split("/");
  const segments = parts.map((part): Segment => {
    if (!part.includes("{") && !part.includes("}")) {
      if (part.includes("?")) throw new RouteTemplateError(`literal "${part}" cannot contain "?"`);
      return { kind: "literal", value: part.toUpperCase() };
    }
    if (!part.startsWith("{") || !part.endsWith("}") || part.indexOf("{", 1) !== -1) {
      throw new RouteTemplateError(`segment "${part}" mixes literal text and parameters, which this router does not reproduce`);
    }
    return parseParam(part);
  });
  const names = new Set<string>();
  segments.forEach((s, i) => {
    if (s.kind !== "param") return;
    if (names.has(s.name.toLowerCase())) throw new RouteTemplateError(`parameter "${s.name}" appears more than once`);
    names.add(s.name.toLowerCase());
    if (s.catchAll && i !== segments.length - 1) throw new RouteTemplateError(`the catch-all "{*${s.name}}" must be the last segment`);
  });
  return { template, segments };
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Splits a request path as ASP.NET Core does: no leading slash, one trailing slash ignored. */
function pathSegments(path: string): string[] {
  const trimmed = path.replace(/^\//, "").replace(/\/$/, "");
  return trimmed === "" ? [] : trimmed.split("/");
}

function accepts(segment: ParamSegment, value: string): boolean {
  return segment.constraints.every((c) => c(value));
}

/** The route values when the template matches the path's segments, else undefined. */
export function matchTemplate(compiled: CompiledTemplate, path: string): Record<string, string> | undefined {
  const raw = pathSegments(path);
  const params: Record<string, string> = {};
  const { segments } = compiled;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (seg.kind === "param" && seg.catchAll) {
      const rest = raw.slice(i).map(decode);
      if (rest.some((r) => r === undefined)) return undefined;
      const value = rest.join("/");
      if (value !== "" && !accepts(seg, value)) return undefined;
      if (value !== "" || seg.defaultValue !== undefined) params[seg.name] = value || (seg.defaultValue ?? "");
      return params;
    }
    const part = raw[i];
    if (part === undefined) {
      if (seg.kind === "literal" || (!seg.optional && seg.defaultValue === undefined)) return undefined;
      if (seg.defaultValue !== undefined) params[seg.name] = seg.defaultValue;
      continue;
    }
    const value = decode(part);
    if (value === undefined) return undefined;
    if (seg.kind === "literal") {
      if (value.toUpperCase() !== seg.value) return undefined;
    } else {
      if (value.length === 0 || !accepts(seg, value)) return undefined;
      params[seg.name] = value;
    }
  }
  return raw.length <= segments.length ? params : undefined;
}

function restOptional(segments: Segment[], from: number): boolean {
  return segments.slice(from).every((s) => s.kind === "param" && (s.optional || s.defaultValue !== undefined));
}

function segmentsOverlap(a: Segment, b: Segment): boolean {
  if (a.kind === "literal" && b.kind === "literal") return a.value === b.value;
  if (a.kind === "literal") return accepts(b as ParamSegment, a.value) || accepts(b as ParamSegment, a.value.toLowerCase());
  if (b.kind === "literal") return accepts(a, b.value) || accepts(a, b.value.toLowerCase());
  return true;
}

/** True when some request path could match both templates (parameters are assumed to overlap each other). */
export function templatesOverlap(a: CompiledTemplate, b: CompiledTemplate): boolean {
  const walk = (i: number, j: number): boolean => {
    const sa = a.segments[i];
    const sb = b.segments[j];
    if ((sa?.kind === "param" && sa.catchAll) || (sb?.kind === "param" && sb.catchAll)) return true;
    if (restOptional(a.segments, i) && restOptional(b.segments, j)) return true;
    if (sa === undefined || sb === undefined) return false;
    return segmentsOverlap(sa, sb) && walk(i + 1, j + 1);
  };
  return walk(0, 0);
}

interface RouteFunction<T> {
  name: string;
  compiled: CompiledTemplate;
  methods: ReadonlySet<string>;
  value: T;
}

export class Router<T> {
  private readonly functions: RouteFunction<T>[] = [];

  /** Adds a function; throws RouteTemplateError naming it when its template cannot be routed. */
  add(name: string, template: string, methods: readonly string[], value: T): void {
    let compiled: CompiledTemplate;
    try {
      compiled = compileRouteTemplate(template);
    } catch (error) {
      if (error instanceof RouteTemplateError) throw new RouteTemplateError(`Function "${name}": route "${template}": ${error.message}`);
      throw error;
    }
    this.functions.push({ name, compiled, methods: new Set(methods.map((m) => m.toUpperCase())), value });
    this.functions.sort((x, y) => compareFunctionNames(x.name, y.name));
  }

  /** The first function in name order whose template and method match the path (no leading slash needed). */
  match(method: string, path: string): RouteResult<T> {
    const allowed = new Set<string>();
    for (const fn of this.functions) {
      const params = matchTemplate(fn.compiled, path);
      if (params === undefined) continue;
      if (fn.methods.has(method.toUpperCase())) return { kind: "match", match: { name: fn.name, value: fn.value, params } };
      for (const m of fn.methods) allowed.add(m);
    }
    if (allowed.size > 0) return { kind: "method-not-allowed", allowed: [...allowed].sort() };
    return { kind: "not-found" };
  }
}
