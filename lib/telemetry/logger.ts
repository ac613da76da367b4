/** Structured logging: one JSON object per line, never tokens, SAS URLs or keys. */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  log(level: LogLevel, event: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines all carry these fields. */
  child(fields: Record<string, unknown>): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface JsonLoggerOptions {
  level?: LogLevel;
  write?: (line: string) => void;
}

/** A logger writing JSON lines (to stderr by default). */
export function jsonLogger(options: JsonLoggerOptions = {}, base: Record<string, unknown> = {}): Logger {
  const min = ORDER[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stderr.write(line + "\n"));
  return {
    log(level, event, fields = {}) {
      if (ORDER[level] < min) return;
      write(JSON.stringify({ time: new Date().toISOString(), level, event, ...base, ...fields }));
    },
    child(fields) {
      return jsonLogger(options, { ...base, ...fields });
    },
  };
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = {
  log() {},
  child() {
    return silentLogger;
  },
};

/** Describes an error for a log line without its stack leaking to clients (logs only). */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { error: error.name, message: error.message, stack: error.stack };
  return { error: String(error) };
}
