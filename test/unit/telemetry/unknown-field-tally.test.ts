import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../lib/core/clock.js";
import { RecordingTelemetry } from "../../../lib/telemetry/telemetry.js";
import { UNKNOWN_FIELD_WINDOW_MS, UnknownFieldTally } from "../../../lib/telemetry/unknown-field-tally.js";

describe("the unknown-field tally", () => {
  it("when many requests carry unknown fields within a window, then one event goes out at once and one aggregate with the next window", () => {
    const clock = new ManualClock(1_000_000);
    const telemetry = new RecordingTelemetry();
    const tally = new UnknownFieldTally(telemetry, clock);
    tally.record("agentState", ["batteryHealth"]);
    for (let i = 0; i < 999; i++) tally.record("agentState", ["batteryHealth", "tpm.version"]);
    expect(telemetry.events).toEqual([{ name: "UnknownFieldsIgnored", dimensions: { route: "agentState", requests: "1", fields: "batteryHealth=1" } }]);
    clock.advance(UNKNOWN_FIELD_WINDOW_MS);
    tally.record("agentState", ["batteryHealth"]);
    expect(telemetry.events).toHaveLength(2);
    expect(telemetry.events[1]?.dimensions).toEqual({ route: "agentState", requests: "1000", fields: "batteryHealth=1000,tpm.version=999" });
  });

  it("when a request carries no unknown field, then nothing is counted", () => {
    const telemetry = new RecordingTelemetry();
    new UnknownFieldTally(telemetry, new ManualClock(0)).record("agentState", []);
    expect(telemetry.events).toEqual([]);
  });

  it("when field names are hostile or endless, then they are cleaned, shortened and bounded per route", () => {
    const clock = new ManualClock(0);
    const telemetry = new RecordingTelemetry();
    const tally = new UnknownFieldTally(telemetry, clock);
    tally.record("agentState", ["<script>", "x".repeat(500), ...Array.from({ length: 100 }, (_, i) => `f${i}`)]);
    const fields = telemetry.events[0]?.dimensions["fields"] ?? "";
    expect(fields).not.toContain("<");
    expect(fields).toContain("?script?=1");
    expect(fields).toContain(`${"x".repeat(64)}=1`);
    expect(fields.split(",")).toHaveLength(21);
    expect(fields).toContain("(others)=82");
  });
});
