import { describe, expect, it } from "vitest";
import { MAX_WINDOW_MS, MIN_WINDOW_MS, nextWindowWidth, parsePurgeWindow, serializePurgeWindow } from "../../../lib/reconcile/purge-window.js";

const HOUR_MS = 3_600_000;

describe("history purge window", () => {
  it("when a window held more than three quarters of the target, then the next is shrunk to hold about 60 % at the same density", () => {
    expect(nextWindowWidth(HOUR_MS, 200, 100)).toBe(HOUR_MS * 0.3);
    expect(nextWindowWidth(HOUR_MS, 80, 100)).toBe(HOUR_MS * 0.75);
  });

  it("when a window held between 30 % and 75 % of the target, then the width is kept; below 30 % it doubles", () => {
    expect(nextWindowWidth(HOUR_MS, 50, 100)).toBe(HOUR_MS);
    expect(nextWindowWidth(HOUR_MS, 29, 100)).toBe(2 * HOUR_MS);
  });

  it("when the width would leave [1 s, 1 day], then it is clamped", () => {
    expect(nextWindowWidth(MAX_WINDOW_MS, 0, 100)).toBe(MAX_WINDOW_MS);
    expect(nextWindowWidth(MIN_WINDOW_MS, 1_000_000, 100)).toBe(MIN_WINDOW_MS);
  });

  it("when the saved cursor is unreadable or out of range, then the walk starts over instead of failing the pass", () => {
    expect(parsePurgeWindow(undefined)).toBeUndefined();
    expect(parsePurgeWindow("not json")).toBeUndefined();
    expect(parsePurgeWindow(JSON.stringify({ from: 5, widthMs: 1 }))).toBeUndefined();
    const walk = { from: 1_700_000_000_000, widthMs: HOUR_MS };
    expect(parsePurgeWindow(serializePurgeWindow(walk))).toEqual(walk);
  });
});
