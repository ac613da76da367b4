/** The benchmark groups, in run order. */
export const BENCH_GROUPS = ["content", "http", "slots", "upload"] as const;
export type BenchGroup = (typeof BENCH_GROUPS)[number];

/** How long and how big the bench runs. */
export interface BenchOptions {
  quick: boolean;
  /** Seconds per HTTP load run. */
  durationSeconds: number;
  /** Concurrent connections of the load generator. */
  connections: number;
  /** Size of the content-information file. */
  contentBytes: number;
  /** Payload of the upload-RSS package. */
  uploadBytes: number;
  /** Payload of the package published through an upload session. */
  sessionBytes: number;
  /** Devices behind the full config and manifest fetches (distinct documents). */
  devices: number;
  /** Devices sending state reports. */
  reportingDevices: number;
  groups: BenchGroup[];
  /** Where the JSON goes. */
  out: string;
}

const MIB = 1024 * 1024;

const USAGE =
  "usage: npm run bench -- [--quick] [--duration=S] [--connections=N] [--content-mib=N] [--upload-mib=N] [--session-mib=N] [--devices=N] [--reporting-devices=N] [--only=content,http,slots,upload] [--out=FILE]\n" +
  "       (or the env BENCH_QUICK=1, BENCH_DURATION, BENCH_CONNECTIONS, BENCH_CONTENT_MIB, BENCH_UPLOAD_MIB, BENCH_DEVICES, BENCH_REPORTING_DEVICES, BENCH_ONLY, BENCH_OUT)";

function positive(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new RangeError(`${name} must be a positive number, got "${raw}"\n${USAGE}`);
  return n;
}

/** Parses `--key=value` arguments over BENCH_* environment values over the defaults; throws RangeError with the usage on anything unknown. */
export function parseBenchOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): BenchOptions {
  const values = new Map<string, string>();
  const fromEnv: Array<[string, string]> = [
    ["quick", "BENCH_QUICK"],
    ["duration", "BENCH_DURATION"],
    ["connections", "BENCH_CONNECTIONS"],
    ["content-mib", "BENCH_CONTENT_MIB"],
    ["upload-mib", "BENCH_UPLOAD_MIB"],
    ["session-mib", "BENCH_SESSION_MIB"],
    ["devices", "BENCH_DEVICES"],
    ["reporting-devices", "BENCH_REPORTING_DEVICES"],
    ["only", "BENCH_ONLY"],
    ["out", "BENCH_OUT"],
  ];
  for (const [key, name] of fromEnv) {
    const v = env[name];
    if (v !== undefined && v !== "") values.set(key, v);
  }
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const key = m?.[1];
    if (key === undefined || !fromEnv.some(([k]) => k === key)) throw new RangeError(`unknown argument "${arg}"\n${USAGE}`);
    values.set(key, m?.[2] ?? "true");
  }
  const quick = ["1", "true", "yes"].includes(values.get("quick") ?? "");
  const get = (key: string, fallback: number): number => {
    const raw = values.get(key);
    return raw === undefined ? fallback : positive(`--${key}`, raw);
  };
  const only = values.get("only");
  const groups = only === undefined ? [...BENCH_GROUPS] : only.split(",").map((g) => g.trim());
  for (const g of groups) if (!(BENCH_GROUPS as readonly string[]).includes(g)) throw new RangeError(`unknown group "${g}"\n${USAGE}`);
  return {
    quick,
    durationSeconds: get("duration", quick ? 2 : 8),
    connections: Math.round(get("connections", 16)),
    contentBytes: Math.round(get("content-mib", quick ? 64 : 256) * MIB),
    uploadBytes: Math.round(get("upload-mib", quick ? 256 : 1024) * MIB),
    // 4095 MiB: the bench's zip writer (fflate) has no ZIP64, so the whole archive must stay under 4 GiB.
    sessionBytes: Math.round(get("session-mib", quick ? 512 : 4095) * MIB),
    devices: Math.round(get("devices", 8)),
    reportingDevices: Math.round(get("reporting-devices", quick ? 20 : 50)),
    groups: BENCH_GROUPS.filter((g) => groups.includes(g)),
    out: values.get("out") ?? "bench-results.json",
  };
}
