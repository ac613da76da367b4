import { describe, expect, it } from "vitest";
import { nextOccurrence, parseNcrontab } from "../../../lib/localhost/timer-host.js";

const at = (iso: string): number => Date.parse(iso);
const next = (expr: string, after: string): string | undefined => {
  const t = nextOccurrence(parseNcrontab(expr), at(after));
  return t === undefined ? undefined : new Date(t).toISOString();
};

describe("parseNcrontab", () => {
  it("when fields use *, numbers, lists, ranges and steps, then each field holds exactly the allowed values", () => {
    const s = parseNcrontab("0 */15 8-10 1,15 * 1-5");
    expect(s.seconds).toEqual([0]);
    expect(s.minutes).toEqual([0, 15, 30, 45]);
    expect(s.hours).toEqual([8, 9, 10]);
    expect(s.days).toEqual([1, 15]);
    expect(s.months).toHaveLength(12);
    expect(s.weekdays).toEqual([1, 2, 3, 4, 5]);
  });

  it("when a range has a step or a start has a step, then values step from its start", () => {
    expect(parseNcrontab("10-30/10 5/20 * * * *").seconds).toEqual([10, 20, 30]);
    expect(parseNcrontab("10-30/10 5/20 * * * *").minutes).toEqual([5, 25, 45]);
  });

  it("when weekday 7 is given, then it means Sunday", () => {
    expect(parseNcrontab("0 0 0 * * 7").weekdays).toEqual([0]);
  });

  it.each([
    ["five fields", "0 */5 * * *"],
    ["a value out of range", "60 * * * * *"],
    ["a backwards range", "0 0 10-8 * * *"],
    ["a word", "0 0 noon * * *"],
    ["a zero step", "*/0 * * * * *"],
  ])("when the schedule has %s, then it throws", (_what, expr) => {
    expect(() => parseNcrontab(expr)).toThrow(/invalid NCRONTAB/);
  });
});

describe("nextOccurrence", () => {
  it("when the default schedule is asked after 10:07:30, then the next run is 10:15:00", () => {
    expect(next("0 */15 * * * *", "2026-03-04T10:07:30Z")).toBe("2026-03-04T10:15:00.000Z");
  });

  it("when asked exactly at an occurrence, then the next one is strictly later", () => {
    expect(next("0 */15 * * * *", "2026-03-04T10:15:00Z")).toBe("2026-03-04T10:30:00.000Z");
  });

  it("when the schedule is every second, then the next run is the next whole second", () => {
    expect(next("* * * * * *", "2026-03-04T10:15:00.400Z")).toBe("2026-03-04T10:15:01.000Z");
  });

  it("when the day is past the last hour, then it rolls over to the next matching day, month and year", () => {
    expect(next("30 5 23 * * *", "2026-12-31T23:05:31Z")).toBe("2027-01-01T23:05:30.000Z");
  });

  it("when weekdays are restricted, then day of month and weekday must both match", () => {
    // 2026-03-06 is a Friday; the next Monday the 9th.
    expect(next("0 0 9 * * 1", "2026-03-06T12:00:00Z")).toBe("2026-03-09T09:00:00.000Z");
    expect(next("0 0 0 13 * 5", "2026-01-01T00:00:00Z")).toBe("2026-02-13T00:00:00.000Z");
  });

  it("when no date can match (30 February), then there is no occurrence", () => {
    expect(next("0 0 0 30 2 *", "2026-01-01T00:00:00Z")).toBeUndefined();
  });
});
