import { describe, expect, it } from "vitest";
import { parseAgentArgs } from "../../../lib/simulator/args.js";
import { parseDuration, formatDuration } from "../../../lib/simulator/duration.js";
import { scriptForIndex } from "../../../lib/simulator/script.js";

const CONTOSO = "11111111-1111-4111-8111-111111111111";
const FABRIKAM = "22222222-2222-4222-8222-222222222222";

describe("parseAgentArgs", () => {
  it("when no flags are given, then one Contoso device runs against the local host with the default data folder", () => {
    const args = parseAgentArgs([]);
    expect(args.help).toBe(false);
    expect(args.json).toBe(false);
    expect(args.fleet).toEqual({ baseUrl: "http://localhost:7071", dataDir: ".data", realm: CONTOSO, devices: 1, concurrency: 1, script: {} });
  });

  it("when fleet flags are given, then devices, concurrency, duration and interval are parsed, durations in their units", () => {
    const args = parseAgentArgs(["--url", "http://127.0.0.1:9000/", "--data", "/tmp/d", "--realm", "fabrikam", "--devices", "50", "--concurrency", "8", "--duration", "2m", "--interval", "9s", "--user", "eve@fabrikam.example"]);
    expect(args.fleet).toMatchObject({
      baseUrl: "http://127.0.0.1:9000",
      dataDir: "/tmp/d",
      realm: FABRIKAM,
      devices: 50,
      concurrency: 8,
      durationMs: 120_000,
      reportIntervalSeconds: 9,
      user: "eve@fabrikam.example",
    });
  });

  it("when a tenant id is given as realm, then it is used lowercased", () => {
    expect(parseAgentArgs(["--realm", "AAAAAAAA-0000-4000-8000-000000000001"]).fleet.realm).toBe("aaaaaaaa-0000-4000-8000-000000000001");
  });

  it("when scripted outcomes are given, then they make up the script, repeated flags accumulating", () => {
    const args = parseAgentArgs(["--fail-check", "firewall", "--fail-check", "antivirus", "--fail-install", "Contoso.Tool", "--no-escrow", "--silent-at", "restart", "--vm", "--install-link", "7zip", "--scripted", "3"]);
    expect(args.fleet.script).toEqual({
      failChecks: ["firewall", "antivirus"],
      failInstalls: ["Contoso.Tool"],
      noEscrow: true,
      silentAt: "restart",
      virtualMachine: true,
      installLinks: ["7zip"],
    });
    expect(args.fleet.scriptedDevices).toBe(3);
  });

  it("when run-time knobs are given, then timeout and poll go into the device timing", () => {
    expect(parseAgentArgs(["--timeout", "5m", "--poll", "250ms", "--no-dev", "--channel", "beta", "--json"])).toMatchObject({
      json: true,
      fleet: { timing: { runTimeoutMs: 300_000, pollMs: 250 }, devMode: false, channel: "beta" },
    });
  });

  it.each([
    [["--devices", "0"], /--devices must be a positive integer/],
    [["--devices", "ten"], /--devices must be a whole number/],
    [["--realm", "northwind"], /--realm must be contoso, fabrikam or a tenant id/],
    [["--fail-check", "printer"], /--fail-check must be one of updates, encryption, firewall, antivirus/],
    [["--silent-at", "reboot"], /--silent-at must be one of/],
    [["--duration", "soon"], /--duration: not a duration/],
    [["--url", "localhost:7071"], /--url must be/],
    [["--user", "adele@contoso.example", "--token", "x"], /exclude each other/],
    [["--bogus"], /Unknown option '--bogus'/],
  ])("when given %j, then it is refused with a reason", (argv, message) => {
    expect(() => parseAgentArgs(argv)).toThrow(message);
  });
});

describe("durations", () => {
  it("when a duration has a unit or none, then it is read as ms, s, m, h or seconds", () => {
    expect([parseDuration("500ms"), parseDuration("60s"), parseDuration("15m"), parseDuration("2h"), parseDuration("900"), parseDuration("1.5s")]).toEqual([
      500, 60_000, 900_000, 7_200_000, 900_000, 1500,
    ]);
  });

  it("when formatted, then short forms are used per magnitude", () => {
    expect([formatDuration(850), formatDuration(12_345), formatDuration(245_000), formatDuration(3_720_000)]).toEqual(["850ms", "12.3s", "4m05s", "1h02m"]);
  });
});

describe("scriptForIndex", () => {
  it("when only the first N devices are scripted, then the others get the healthy script", () => {
    const pick = scriptForIndex({ noEscrow: true }, 2);
    expect([0, 1, 2, 3].map(pick)).toEqual([{ noEscrow: true }, { noEscrow: true }, {}, {}]);
    expect(scriptForIndex({ virtualMachine: true }, undefined)(99)).toEqual({ virtualMachine: true });
  });
});
