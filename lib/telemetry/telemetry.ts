import type { Logger } from "./logger.js";
import type { TelemetryDimensions, TelemetryEventName } from "./events.js";

/** One call to a service the app depends on (the ones the SDK instrumentation cannot see, like fetch). */
export interface DependencyCall {
  type: "HTTP";
  /** Host name, e.g. "graph.microsoft.com". */
  target: string;
  method: string;
  /** Path with ids replaced by ":id", never the query string: "/v1.0/users/:id". */
  path: string;
  durationMs: number;
  /** HTTP status, or the error name when no response came. */
  resultCode: string;
  success: boolean;
}

/** Custom events with realm and device as dimensions. Implementations never throw. */
export interface Telemetry {
  event<E extends TelemetryEventName>(name: E, dimensions: TelemetryDimensions<E>): void;
  /** Records an outgoing call; optional (implementations without it drop dependencies). */
  dependency?(call: DependencyCall): void;
}

export interface RecordedEvent {
  name: TelemetryEventName;
  dimensions: Record<string, string>;
}

const SECRET_PATTERNS: RegExp[] = [
  /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/, // JWT / JWS
  /[?&]sig=/i, // SAS signature
  /\b\d{6}(-\d{6}){7}\b/, // BitLocker recovery password
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
];

/** Turns dimensions into strings and replaces anything that looks like a secret with "[redacted]". */
export function sanitizeDimensions(dimensions: Record<string, string | number | boolean | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(dimensions)) {
    if (value === undefined) continue;
    const text = String(value).slice(0, 1024);
    out[key] = SECRET_PATTERNS.some((p) => p.test(text)) ? "[redacted]" : text;
  }
  return out;
}

/** Telemetry as structured log lines (when Application Insights is off). */
export class LogTelemetry implements Telemetry {
  constructor(private readonly log: Logger) {}
  event<E extends TelemetryEventName>(name: E, dimensions: TelemetryDimensions<E>): void {
    this.log.log("info", `telemetry.${name}`, sanitizeDimensions(dimensions));
  }
  dependency(call: DependencyCall): void {
    this.log.log("debug", "telemetry.dependency", { ...call });
  }
}

/** Keeps events in memory, for tests and for the admin's rollout counts in the local host. */
export class RecordingTelemetry implements Telemetry {
  readonly events: RecordedEvent[] = [];
  readonly dependencies: DependencyCall[] = [];
  constructor(private readonly next?: Telemetry) {}
  event<E extends TelemetryEventName>(name: E, dimensions: TelemetryDimensions<E>): void {
    this.events.push({ name, dimensions: sanitizeDimensions(dimensions) });
    if (this.events.length > 10_000) this.events.splice(0, 1_000);
    this.next?.event(name, dimensions);
  }
  dependency(call: DependencyCall): void {
    this.dependencies.push(call);
    if (this.dependencies.length > 10_000) this.dependencies.splice(0, 1_000);
    this.next?.dependency?.(call);
  }
}
