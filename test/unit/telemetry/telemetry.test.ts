import { describe, expect, it } from "vitest";
import { jsonLogger } from "../../../lib/telemetry/logger.js";
import { LogTelemetry, RecordingTelemetry, sanitizeDimensions } from "../../../lib/telemetry/telemetry.js";

describe("sanitizeDimensions", () => {
  it.each([
    ["a JWT", "eyJhbGciOiJQUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"],
    ["a SAS URL", "https://acct.blob.core.windows.net/c/b?sv=2024&sig=abc%3D"],
    ["a BitLocker recovery password", "123456-123456-123456-123456-123456-123456-123456-123456"],
    ["a private key", "-----BEGIN PRIVATE KEY-----\nMIIE"],
  ])("when a value holds %s, then it is redacted", (_what, value) => {
    expect(sanitizeDimensions({ reason: value })).toEqual({ reason: "[redacted]" });
  });

  it("when values are numbers, booleans or undefined, then they become strings or are dropped", () => {
    expect(sanitizeDimensions({ a: 1, b: false, c: undefined })).toEqual({ a: "1", b: "false" });
  });
});

describe("LogTelemetry", () => {
  it("when Application Insights is off, then each event is one JSON log line with its dimensions", () => {
    const lines: string[] = [];
    const telemetry = new LogTelemetry(jsonLogger({ write: (l) => lines.push(l) }));
    telemetry.event("DeviceEnrolled", { realmId: "r", deviceId: "d", trust: "new" });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ level: "info", event: "telemetry.DeviceEnrolled", realmId: "r", deviceId: "d", trust: "new" });
  });
});

describe("RecordingTelemetry", () => {
  it("when it forwards to another telemetry, then both see the event", () => {
    const inner = new RecordingTelemetry();
    const outer = new RecordingTelemetry(inner);
    outer.event("ReconcilePass", { staleDevices: 3 });
    expect(inner.events).toEqual([{ name: "ReconcilePass", dimensions: { staleDevices: "3" } }]);
  });
});
