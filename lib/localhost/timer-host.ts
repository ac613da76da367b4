import { randomUUID } from "node:crypto";
import type { Timer } from "@azure/functions";
import { withServices } from "../app/container.js";
import type { AppServices } from "../app/services.js";
import { InvocationContext } from "../registry/azure-functions.js";
import type { TimerFunctionEntry } from "../registry/types.js";
import { errorFields } from "../telemetry/logger.js";

/** A parsed six-field NCRONTAB schedule: the allowed values of each field. */
export interface CronSchedule {
  seconds: number[];
  minutes: number[];
  hours: number[];
  days: number[];
  months: number[];
  /** 0 = Sunday. */
  weekdays: number[];
}

const FIELDS: { name: keyof CronSchedule; min: number; max: number }[] = [
  { name: "seconds", min: 0, max: 59 },
  { name: "minutes", min: 0, max: 59 },
  { name: "hours", min: 0, max: 23 },
  { name: "days", min: 1, max: 31 },
  { name: "months", min: 1, max: 12 },
  { name: "weekdays", min: 0, max: 7 },
];

function parseNumber(text: string, min: number, max: number, expr: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`invalid NCRONTAB schedule '${expr}': '${text}' is not a number`);
  const value = Number(text);
  if (value < min || value > max) throw new Error(`invalid NCRONTAB schedule '${expr}': ${value} is outside ${min}-${max}`);
  return value;
}

function parseField(text: string, min: number, max: number, expr: string): number[] {
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const [range = "", stepText, extra] = part.split("/");
    if (extra !== undefined) throw new Error(`invalid NCRONTAB schedule '${expr}': '${part}'`);
    const step = stepText === undefined ? 1 : parseNumber(stepText, 1, max, expr);
    let from: number;
    let to: number;
    if (range === "*") [from, to] = [min, max];
    else if (range.includes("-")) {
      const [a = "", b = ""] = range.split("-");
      [from, to] = [parseNumber(a, min, max, expr), parseNumber(b, min, max, expr)];
      if (from > to) throw new Error(`invalid NCRONTAB schedule '${expr}': range '${range}' runs backwards`);
    } else {
      from = parseNumber(range, min, max, expr);
      to = stepText === undefined ? from : max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

/**
 * Parses `{second} {minute} {hour} {day} {month} {day-of-week}` with `*`, numbers, lists, ranges and
 * steps (`*\/n`, `a-b/n`, `a/n`). Weekday 7 is Sunday, like 0. Throws Error naming the bad part.
 */
export function parseNcrontab(expr: string): CronSchedule {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 6) throw new Error(`invalid NCRONTAB schedule '${expr}': expected 6 fields, got ${parts.length}`);
  const out = {} as CronSchedule;
  for (const [i, field] of FIELDS.entries()) out[field.name] = parseField(parts[i] ?? "", field.min, field.max, expr);
  out.weekdays = [...new Set(out.weekdays.map((d) => d % 7))].sort((a, b) => a - b);
  return out;
}

const DAY_MS = 86_400_000;
const SEARCH_DAYS = 366 * 8;

/**
 * The first occurrence strictly after `afterMs` (UTC, whole seconds), or undefined when none falls
 * within eight years (e.g. 30 February). Day of month and day of week must both match.
 */
export function nextOccurrence(schedule: CronSchedule, afterMs: number): number | undefined {
  const from = Math.floor(afterMs / 1000) * 1000 + 1000;
  let dayStart = Math.floor(from / DAY_MS) * DAY_MS;
  for (let i = 0; i < SEARCH_DAYS; i++, dayStart += DAY_MS) {
    const day = new Date(dayStart);
    if (!schedule.months.includes(day.getUTCMonth() + 1) || !schedule.days.includes(day.getUTCDate()) || !schedule.weekdays.includes(day.getUTCDay())) continue;
    for (const h of schedule.hours) {
      if (dayStart + (h + 1) * 3_600_000 <= from) continue;
      for (const m of schedule.minutes) {
        if (dayStart + h * 3_600_000 + (m + 1) * 60_000 <= from) continue;
        for (const s of schedule.seconds) {
          const at = dayStart + h * 3_600_000 + m * 60_000 + s * 1000;
          if (at >= from) return at;
        }
      }
    }
  }
  return undefined;
}

/** Timers running in the local host. */
export interface RunningTimerHost {
  /** Cancels future runs and waits for running ones to end. */
  stop(): Promise<void>;
}

export interface TimerHostOptions {
  /** Wall-clock time source for scheduling (tests pass their own). */
  now?: () => number;
}

// setTimeout holds at most 2^31-1 ms; longer waits are chained.
const MAX_DELAY = 2_147_483_647;

/**
 * Runs each timer on the NCRONTAB schedule held by its setting, with `services` in scope, one run at
 * a time per timer (a run still going when the next is due makes that one skip, as in Azure).
 * Throws Error when a schedule setting is missing or malformed.
 */
export function startTimerHost(services: AppServices, timers: readonly TimerFunctionEntry[], options: TimerHostOptions = {}): RunningTimerHost {
  const now = options.now ?? Date.now;
  const handles = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let stopped = false;

  const plans = timers.map((entry) => {
    const expr = (services.settings as Record<string, unknown>)[entry.scheduleSetting];
    if (typeof expr !== "string") throw new Error(`timer '${entry.name}': setting ${entry.scheduleSetting} is not set`);
    return { entry, schedule: parseNcrontab(expr) };
  });

  const wait = (at: number, then: () => void): void => {
    if (stopped) return;
    const handle = setTimeout(() => {
      handles.delete(handle);
      if (now() < at) wait(at, then);
      else then();
    }, Math.min(MAX_DELAY, Math.max(0, at - now())));
    handles.add(handle);
  };

  const schedule = (entry: TimerFunctionEntry, cron: CronSchedule, last: number | undefined): void => {
    const at = nextOccurrence(cron, now());
    if (at === undefined) return;
    wait(at, () => {
      const timer: Timer = {
        isPastDue: now() - at > 60_000,
        schedule: { adjustForDST: false },
        scheduleStatus: { last: new Date(last ?? at).toISOString(), next: new Date(at).toISOString(), lastUpdated: new Date(now()).toISOString() },
      };
      const invocation = new InvocationContext({
        invocationId: randomUUID(),
        functionName: entry.name,
        logHandler: (level, ...args) => services.log.log(level === "error" ? "error" : level === "warning" ? "warn" : "debug", "function.log", { function: entry.name, message: args.map(String).join(" ") }),
      });
      const run = withServices(services, () => entry.handler(timer, invocation))
        .catch((error: unknown) => services.log.log("error", "timer.failed", { timer: entry.name, ...errorFields(error) }))
        .finally(() => {
          running.delete(run);
          schedule(entry, cron, at);
        });
      running.add(run);
    });
  };

  for (const { entry, schedule: cron } of plans) schedule(entry, cron, undefined);

  return {
    async stop() {
      stopped = true;
      for (const handle of handles) clearTimeout(handle);
      handles.clear();
      await Promise.allSettled([...running]);
    },
  };
}
