import { compareFunctionNames, compileRouteTemplate, RouteTemplateError, templatesOverlap, type CompiledTemplate } from "../http/router.js";
import type { HttpFunctionEntry } from "./types.js";

/**
 * host.json sets `routePrefix: ""` and every template carries "api/" itself: the host checks its
 * reserved routes ("admin", "runtime") on the template before adding a prefix, so "admin/v1/..." under
 * the default "api" prefix would be refused while "api/admin/v1/..." is accepted at the same URL.
 */
const ROUTE_PREFIX = "api/";

/** The route template the Functions host receives for a registry entry (both hosts use this). */
export function hostRouteTemplate(entry: Pick<HttpFunctionEntry, "route">): string {
  return ROUTE_PREFIX + entry.route;
}

/** A function as the host sees it: its name, and for HTTP triggers the template and methods. */
export interface HostFunction {
  name: string;
  route?: string;
  methods?: readonly string[];
}

const FUNCTION_NAME = /^[a-zA-Z][a-zA-Z0-9_-]*$/;
const MAX_NAME_LENGTH = 127;

/** Every reason the Functions host would refuse to start these functions (each names its function). */
export function hostRefusals(functions: readonly HostFunction[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const fn of functions) {
    if (!FUNCTION_NAME.test(fn.name) || fn.name.length > MAX_NAME_LENGTH) {
      problems.push(`Function "${fn.name}": the name must match ${FUNCTION_NAME.source} and have at most ${MAX_NAME_LENGTH} characters`);
    }
    const key = fn.name.toLowerCase();
    const other = seen.get(key);
    if (other !== undefined) problems.push(`Function "${fn.name}": the name is already taken by "${other}"`);
    seen.set(key, fn.name);
    if (fn.route === undefined) continue;
    const reserved = fn.route.replace(/^\/+|\/+$/g, "").toLowerCase();
    if (reserved.startsWith("admin") || reserved.startsWith("runtime")) {
      problems.push(`Function "${fn.name}": route "${fn.route}" conflicts with the host's built-in routes (admin, runtime)`);
      continue;
    }
    try {
      compileRouteTemplate(fn.route);
    } catch (error) {
      if (!(error instanceof RouteTemplateError)) throw error;
      problems.push(`Function "${fn.name}": route "${fn.route}": ${error.message}`);
    }
  }
  return problems;
}

/**
 * Overlaps that are meant: the earlier function's literal segment is a value the later one's parameter can
 * never hold, because publishing refuses it (RESERVED_PACKAGE_IDS), so no request is taken from the later one.
 */
const INTENDED_PRECEDENCE: readonly { earlier: string; later: string }[] = [{ earlier: "adminFindUndeliverablePackages", later: "adminGetPackage" }];

const hasCatchAll = (t: CompiledTemplate): boolean => t.segments.some((s) => s.kind === "param" && s.catchAll);

/**
 * Pairs where a function earlier in the host's name order takes requests of a later one for a method
 * both accept: the later function would never see them in Azure. The catch-all must therefore sort last.
 */
export function shadowedRoutes(functions: readonly HostFunction[]): string[] {
  const http = functions
    .filter((fn): fn is Required<HostFunction> => fn.route !== undefined && fn.methods !== undefined)
    .map((fn) => {
      try {
        return { ...fn, compiled: compileRouteTemplate(fn.route) };
      } catch {
        return undefined;
      }
    })
    .filter((fn): fn is Required<HostFunction> & { compiled: CompiledTemplate } => fn !== undefined)
    .sort((a, b) => compareFunctionNames(a.name, b.name));
  const problems: string[] = [];
  http.forEach((later, j) => {
    for (const earlier of http.slice(0, j)) {
      const methods = later.methods.filter((m) => earlier.methods.some((e) => e.toUpperCase() === m.toUpperCase()));
      // A later catch-all is a fallback by intent: only another catch-all before it takes its requests away.
      if (hasCatchAll(later.compiled) && !hasCatchAll(earlier.compiled)) continue;
      if (methods.length === 0 || !templatesOverlap(earlier.compiled, later.compiled)) continue;
      if (INTENDED_PRECEDENCE.some((p) => p.earlier === earlier.name && p.later === later.name)) continue;
      problems.push(
        `Function "${later.name}" (${methods.join(", ")} ${later.route}) is shadowed by "${earlier.name}" (${earlier.route}), which comes first in the host's name order`,
      );
    }
  });
  return problems;
}

/** Throws, naming every offending function, when the host would refuse these functions or route a request past its function. */
export function assertHostRoutable(functions: readonly HostFunction[]): void {
  const problems = [...hostRefusals(functions), ...shadowedRoutes(functions)];
  if (problems.length > 0) throw new Error(`The Functions host would not route these functions as declared:\n  ${problems.join("\n  ")}`);
}
