import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseTolerantInput } from "../../../lib/http/tolerant-input.js";
import { stateReportSchema } from "../../../lib/devices/state-report-schema.js";
import { thrownBy as refusal } from "../../support/app-error.js";

const report = (extra: Record<string, unknown> = {}) => ({
  sequence: 1,
  reportedAt: "2026-01-01T00:00:00Z",
  agentVersion: "4.2.1",
  channel: "stable",
  installed: [{ id: "7zip", version: "23.1.0", status: "installed" }],
  security: { updates: "ok", encryption: "ok", firewall: "ok", antivirus: "ok" },
  tpm: { present: true, ready: true },
  network: { gatewayMac: "00:11:22:33:44:55", fingerprint: "hq" },
  ...extra,
});

describe("tolerant parsing of agent bodies", () => {
  it("when a state report carries unknown fields at the top, nested and inside array items, then they are dropped and named, and the rest is kept", () => {
    const input = report({
      batteryHealth: 97,
      security: { updates: "ok", encryption: "ok", firewall: "ok", antivirus: "ok", smartScreen: "ok" },
      installed: [{ id: "7zip", version: "23.1.0", status: "installed", installedBy: "intune" }],
      tpm: { present: true, ready: true, version: { major: 2 } },
    });
    const { value, ignored } = parseTolerantInput(stateReportSchema, input);
    expect(value).toEqual(report());
    expect(JSON.stringify(value)).not.toMatch(/batteryHealth|smartScreen|installedBy|version":\{/);
    expect(ignored.sort()).toEqual(["batteryHealth", "installed.*.installedBy", "security.smartScreen", "tpm.version"]);
  });

  it("when only known fields come, then nothing is reported and the value is the same", () => {
    expect(parseTolerantInput(stateReportSchema, report())).toEqual({ value: report(), ignored: [] });
  });

  it("when an unknown field comes beside an invalid known one, then it is still a 400 naming the known field's problem", () => {
    const error = refusal(() => parseTolerantInput(stateReportSchema, report({ sequence: -1, future: true })));
    expect(error.status).toBe(400);
    expect(error.message).toContain("sequence");
    expect(error.message).not.toContain("future");
  });

  it("when the input is not an object, then 400 as before", () => {
    expect(refusal(() => parseTolerantInput(stateReportSchema, [1, 2])).status).toBe(400);
    expect(refusal(() => parseTolerantInput(stateReportSchema, null)).status).toBe(400);
  });

  it("when the caller's input object is tolerated, then the caller's object is left as it was", () => {
    const input = report({ extra: 1 });
    parseTolerantInput(stateReportSchema, input);
    expect(input).toHaveProperty("extra", 1);
  });

  it("when unknown fields nest inside a strict object of a strict object, then every level is cleaned", () => {
    const schema = z.object({ a: z.object({ b: z.object({ c: z.number() }).strict() }).strict() }).strict();
    const { value, ignored } = parseTolerantInput(schema, { a: { b: { c: 1, x: 1 }, y: 2 }, z: 3 });
    expect(value).toEqual({ a: { b: { c: 1 } } });
    expect(ignored.sort()).toEqual(["a.b.x", "a.y", "z"]);
  });
});
