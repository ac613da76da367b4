/** Matches request paths against Azure Functions route templates ("agent/v1/packages/{id}/install", "{*rest}"). */

type Segment = { kind: "literal"; value: string } | { kind: "param"; name: string } | { kind: "catch-all"; name: string };

export interface CompiledRoute<T> {
  template: string;
  segments: Segment[];
  methods: ReadonlySet<string>;
  value: T;
}

export interface RouteMatch<T> {
  value: T;
  params: Record<string, string>;
}

export type RouteResult<T> =
  | { kind: "match"; match: RouteMatch<T> }
  | { kind: "method-not-allowed"; allowed: string[] }
  | { kind: "not-found" };

function compile(template: string): Segment[] {
  return template
    .split("/")
    .filter((s) => s.length > 0)
    .map((s): Segment => {
      const m = /^\{(\*?)([A-Za-z][A-Za-z0-9_]*)(:[^}]*)?\}$/.exec(s);
      if (m === null) return { kind: "literal", value: s.toLowerCase() };
      return m[1] === "*" ? { kind: "catch-all", name: m[2] ?? "rest" } : { kind: "param", name: m[2] ?? "p" };
    });
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Score: literals beat parameters beat catch-alls, segment by segment (as ASP.NET routing orders them). */
function score(segments: Segment[]): number[] {
  return segments.map((s) => (s.kind === "literal" ? 3 : s.kind === "param" ? 2 : 1));
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (b[i] ?? 0) - (a[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export class Router<T> {
  private readonly routes: CompiledRoute<T>[] = [];

  /** Adds a route; methods are upper-case HTTP methods. */
  add(template: string, methods: readonly string[], value: T): void {
    this.routes.push({ template, segments: compile(template), methods: new Set(methods.map((m) => m.toUpperCase())), value });
    this.routes.sort((a, b) => compareScores(score(a.segments), score(b.segments)));
  }

  /** Finds the route for a path below the route prefix (no leading "api/"). */
  match(method: string, path: string): RouteResult<T> {
    const raw = path.split("/").filter((s) => s.length > 0);
    const allowed = new Set<string>();
    for (const route of this.routes) {
      const params = this.matchSegments(route.segments, raw);
      if (params === undefined) continue;
      if (route.methods.has(method.toUpperCase())) return { kind: "match", match: { value: route.value, params } };
      for (const m of route.methods) allowed.add(m);
    }
    if (allowed.size > 0) return { kind: "method-not-allowed", allowed: [...allowed].sort() };
    return { kind: "not-found" };
  }

  private matchSegments(segments: Segment[], raw: string[]): Record<string, string> | undefined {
    const params: Record<string, string> = {};
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i];
      if (seg === undefined) return undefined;
      if (seg.kind === "catch-all") {
        const rest = raw.slice(i).map(decode);
        if (rest.some((r) => r === undefined)) return undefined;
        params[seg.name] = rest.join("/");
        return params;
      }
      const part = raw[i];
      if (part === undefined) return undefined;
      const value = decode(part);
      if (value === undefined) return undefined;
      if (seg.kind === "literal") {
        if (value.toLowerCase() !== seg.value) return undefined;
      } else {
        if (value.length === 0) return undefined;
        params[seg.name] = value;
      }
    }
    return raw.length === segments.length ? params : undefined;
  }
}
