import type { Clock } from "../core/clock.js";
import type { Telemetry } from "./telemetry.js";

/** How often at most one instance reports ignored fields (per route). */
export const UNKNOWN_FIELD_WINDOW_MS = 60_000;
const MAX_FIELDS_PER_ROUTE = 20;
const MAX_FIELD_LENGTH = 64;
const MAX_ROUTES = 50;

interface RouteTally {
  requests: number;
  fields: Map<string, number>;
  /** Fields beyond MAX_FIELDS_PER_ROUTE, counted but not named. */
  otherFields: number;
}

/**
 * Counts the unknown fields agents send (newer agents), in memory, and reports them as one
 * UnknownFieldsIgnored event per route and window: the first occurrence at once, what follows within
 * the window with the next event. Field names come from the network, so they are bounded and cleaned.
 */
export class UnknownFieldTally {
  private readonly routes = new Map<string, RouteTally>();
  private readonly lastEmitted = new Map<string, number>();

  constructor(
    private readonly telemetry: Telemetry,
    private readonly clock: Clock,
  ) {}

  /** Adds one request's ignored field paths of a route; emits when the route's window has passed. Never throws. */
  record(route: string, paths: readonly string[]): void {
    if (paths.length === 0) return;
    let tally = this.routes.get(route);
    if (tally === undefined) {
      if (this.routes.size >= MAX_ROUTES) return;
      tally = { requests: 0, fields: new Map(), otherFields: 0 };
      this.routes.set(route, tally);
    }
    tally.requests++;
    for (const path of new Set(paths.map(cleanFieldPath))) {
      const seen = tally.fields.get(path);
      if (seen !== undefined) tally.fields.set(path, seen + 1);
      else if (tally.fields.size < MAX_FIELDS_PER_ROUTE) tally.fields.set(path, 1);
      else tally.otherFields++;
    }
    const now = this.clock.now();
    if (now - (this.lastEmitted.get(route) ?? Number.NEGATIVE_INFINITY) >= UNKNOWN_FIELD_WINDOW_MS) this.emit(route, tally, now);
  }

  private emit(route: string, tally: RouteTally, now: number): void {
    const fields = [...tally.fields.entries()].map(([name, count]) => `${name}=${count}`);
    if (tally.otherFields > 0) fields.push(`(others)=${tally.otherFields}`);
    this.telemetry.event("UnknownFieldsIgnored", { route, requests: tally.requests, fields: fields.join(",") });
    this.routes.delete(route);
    this.lastEmitted.set(route, now);
  }
}

function cleanFieldPath(path: string): string {
  return path.replace(/[^A-Za-z0-9_.*$-]/g, "?").slice(0, MAX_FIELD_LENGTH);
}

const tallies = new WeakMap<Telemetry, UnknownFieldTally>();

/** The instance's tally (one per telemetry sink, i.e. per composed services). */
export function unknownFieldTallyFor(telemetry: Telemetry, clock: Clock): UnknownFieldTally {
  let tally = tallies.get(telemetry);
  if (tally === undefined) {
    tally = new UnknownFieldTally(telemetry, clock);
    tallies.set(telemetry, tally);
  }
  return tally;
}
