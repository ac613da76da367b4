import { parseArgs } from "node:util";
import { CHECK_NAMES, STEP_KINDS, type CheckName, type StepKind } from "./api-types.js";
import { parseDuration } from "./duration.js";
import type { FleetOptions } from "./fleet.js";
import { resolveRealm } from "./realm-name.js";
import type { Script } from "./script.js";

export const AGENT_USAGE = `usage: npm run agent -- [--url http://localhost:7071] [--data .data] [--realm contoso|fabrikam|<tid>]
  [--devices N] [--concurrency C] [--duration 60s] [--interval 900s] [--user <upn>] [--token <jwt>]
  [--fail-check updates|encryption|firewall|antivirus]... [--fail-install <packageId>]... [--no-escrow]
  [--silent-at check|bitlocker|install|restart|confirm-user|second-identity] [--vm] [--no-tpm]
  [--install-link <packageId>]... [--scripted N] [--timeout 15m] [--poll 2s] [--audience api://realmjoin-backend]
  [--idp-issuer <url>] [--channel stable|beta|canary] [--no-dev] [--json]`;

/** What the command line asks for: the fleet to run (without callbacks) and how to print. */
export interface AgentCliArgs {
  help: boolean;
  /** Print the summary as JSON instead of the table. */
  json: boolean;
  fleet: Omit<FleetOptions, "onProgress" | "signal" | "fetch" | "script"> & { script: Script; scriptedDevices?: number };
}

/** Parses `npm run agent -- ...`; throws TypeError (with the reason) on an unknown flag or a bad value. */
export function parseAgentArgs(argv: string[]): AgentCliArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: "boolean", short: "h", default: false },
      json: { type: "boolean", default: false },
      url: { type: "string", default: "http://localhost:7071" },
      data: { type: "string", default: ".data" },
      realm: { type: "string", default: "contoso" },
      devices: { type: "string", default: "1" },
      concurrency: { type: "string" },
      duration: { type: "string" },
      interval: { type: "string" },
      user: { type: "string" },
      token: { type: "string" },
      "fail-check": { type: "string", multiple: true, default: [] },
      "fail-install": { type: "string", multiple: true, default: [] },
      "no-escrow": { type: "boolean", default: false },
      "silent-at": { type: "string" },
      vm: { type: "boolean", default: false },
      "no-tpm": { type: "boolean", default: false },
      "install-link": { type: "string", multiple: true, default: [] },
      scripted: { type: "string" },
      timeout: { type: "string" },
      poll: { type: "string" },
      audience: { type: "string" },
      "idp-issuer": { type: "string" },
      channel: { type: "string" },
      "no-dev": { type: "boolean", default: false },
    },
  });
  let url: URL;
  try {
    url = new URL(values.url);
  } catch {
    throw new TypeError(`--url must be an absolute URL, got "${values.url}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`--url must be http(s), got "${values.url}"`);
  const devices = positiveInt("--devices", values.devices);
  const failChecks = values["fail-check"].map((c) => oneOf<CheckName>("--fail-check", c, CHECK_NAMES));
  const silentAt = values["silent-at"] === undefined ? undefined : oneOf<StepKind>("--silent-at", values["silent-at"], STEP_KINDS);
  const channel = values.channel === undefined ? undefined : oneOf("--channel", values.channel, ["stable", "beta", "canary"] as const);
  if (values.user !== undefined && values.token !== undefined) throw new TypeError("--user and --token exclude each other");
  const script: Script = {
    ...(failChecks.length > 0 ? { failChecks } : {}),
    ...(values["fail-install"].length > 0 ? { failInstalls: values["fail-install"] } : {}),
    ...(values["no-escrow"] ? { noEscrow: true } : {}),
    ...(silentAt === undefined ? {} : { silentAt }),
    ...(values.vm ? { virtualMachine: true } : {}),
    ...(values["no-tpm"] ? { tpm: { present: false, ready: false } } : {}),
    ...(values["install-link"].length > 0 ? { installLinks: values["install-link"] } : {}),
  };
  const timing = {
    ...(values.timeout === undefined ? {} : { runTimeoutMs: durationOf("--timeout", values.timeout) }),
    ...(values.poll === undefined ? {} : { pollMs: durationOf("--poll", values.poll) }),
  };
  const baseUrl = url.toString().replace(/\/+$/, "");
  return {
    help: values.help,
    json: values.json,
    fleet: {
      baseUrl,
      dataDir: values.data,
      realm: resolveRealm(values.realm),
      devices,
      concurrency: values.concurrency === undefined ? Math.min(devices, 20) : positiveInt("--concurrency", values.concurrency),
      script,
      ...(values.scripted === undefined ? {} : { scriptedDevices: nonNegativeInt("--scripted", values.scripted) }),
      ...(values.duration === undefined ? {} : { durationMs: durationOf("--duration", values.duration) }),
      ...(values.interval === undefined ? {} : { reportIntervalSeconds: durationOf("--interval", values.interval) / 1000 }),
      ...(values.user === undefined ? {} : { user: values.user }),
      ...(values.token === undefined ? {} : { token: values.token }),
      ...(values.audience === undefined ? {} : { audience: values.audience }),
      ...(values["idp-issuer"] === undefined ? {} : { idpIssuerBase: values["idp-issuer"] }),
      ...(channel === undefined ? {} : { channel }),
      ...(values["no-dev"] ? { devMode: false } : {}),
      ...(Object.keys(timing).length > 0 ? { timing } : {}),
    },
  };
}

function positiveInt(flag: string, text: string): number {
  const n = nonNegativeInt(flag, text);
  if (n === 0) throw new TypeError(`${flag} must be a positive integer, got "${text}"`);
  return n;
}

function nonNegativeInt(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new TypeError(`${flag} must be a whole number, got "${text}"`);
  return Number(text);
}

function durationOf(flag: string, text: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (e) {
    throw new TypeError(`${flag}: ${(e as Error).message}`, { cause: e });
  }
  if (ms <= 0) throw new TypeError(`${flag} must be longer than zero, got "${text}"`);
  return ms;
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new TypeError(`${flag} must be one of ${allowed.join(", ")}, got "${value}"`);
  return value as T;
}
