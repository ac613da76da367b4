import type { Logger } from "./logger.js";
import type { TelemetryDimensions, TelemetryEventName } from "./events.js";

/** Custom events with realm and device as dimensions. Implementations never throw. */
export interface Telemetry {
  event<E extends TelemetryEventName>(name: E, dimensions: TelemetryDimensions<E>): void;
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
}

/** Keeps events in memory, for tests and for the admin's rollout counts in the local host. */
export class RecordingTelemetry implements Telemetry {
  readonly events: RecordedEvent[] = [];
  constructor(private readonly next?: Telemetry) {}
  event<E extends TelemetryEventName>(name: E, dimensions: TelemetryDimensions<E>): void {
    this.events.push({ name, dimensions: sanitizeDimensions(dimensions) });
    if (this.events.length > 10_000) this.events.splice(0, 1_000);
    this.next?.event(name, dimensions);
  }
}
