import type { HostDevice } from "../support/host-identities.js";
import { assertionFor } from "../support/host-identities.js";
import type { BenchHost } from "./bench-host.js";
import type { BenchOptions } from "./bench-options.js";
import { formatNumber, round, type Figure } from "./figure.js";
import { loadHost, loadPlain } from "./http-measure.js";
import type { LoadResult } from "./load.js";
import { recordAnswer, type RecordedAnswer } from "./plain-server.js";
import type { RawStorageServer } from "./raw-storage-server.js";

/** A signed, ETag-bearing agent document (config or manifest) to measure. */
export interface SignedEndpoint {
  /** JSON key prefix, e.g. "config". */
  id: string;
  /** Printed name, e.g. "Config". */
  label: string;
  path: string;
  /** The polling and fetching devices, round robin (one distinct document each, unless the document is shared). */
  devices: HostDevice[];
}

const summary = (r: LoadResult): Record<string, unknown> => ({
  rps: Math.round(r.rps),
  requests: r.requests,
  seconds: round(r.seconds, 2),
  statuses: r.statuses,
  errors: r.errors,
  latencyP50Ms: r.latencyP50Ms,
  latencyP99Ms: r.latencyP99Ms,
});

/** A throughput figure of the host against the plain-server reference of the same run. */
export function ratioFigure(id: string, label: string, host: LoadResult, plain: LoadResult, extra: Record<string, unknown> = {}): Figure {
  const ratio = round(host.rps / plain.rps, 4);
  return {
    id,
    label,
    value: Math.round(host.rps),
    unit: "req/s",
    baseline: `plain http ${formatNumber(Math.round(plain.rps))}/s; ratio ${ratio}`,
    ratio,
    details: { host: summary(host), plain: summary(plain), p50Ms: host.latencyP50Ms, p99Ms: host.latencyP99Ms, ...extra },
  };
}

/**
 * The host's poll throughput against the raw-storage server of the same run (node:http doing only the floor's jti
 * insert and device read against the same Azurite): how much of the storage floor's rate the real work keeps.
 */
export function rawStorageFigure(id: string, label: string, host: LoadResult, raw: LoadResult): Figure {
  const ratio = round(host.rps / raw.rps, 3);
  return {
    id,
    label,
    value: ratio,
    unit: "of floor",
    baseline: `host ${formatNumber(Math.round(host.rps))}/s; raw node:http + insert + read ${formatNumber(Math.round(raw.rps))}/s`,
    ratio,
    goal: ">= 0.7",
    met: ratio >= 0.7,
    details: { host: summary(host), raw: summary(raw) },
  };
}

/** Each device's first full answer (this signs each distinct document once): its ETag, and one answer to replay. */
async function firstAnswers(bench: BenchHost, endpoint: SignedEndpoint): Promise<{ etags: Map<string, string>; answer: RecordedAnswer }> {
  const etags = new Map<string, string>();
  let answer: RecordedAnswer | undefined;
  for (const device of endpoint.devices) {
    const recorded = await recordAnswer(`${bench.origin}${endpoint.path}`, { headers: { "x-rj-device-assertion": await assertionFor(bench.host, device) } });
    const etag = recorded.headers["etag"];
    if (recorded.status !== 200 || etag === undefined) throw new Error(`${endpoint.path} answered ${recorded.status} without an ETag`);
    etags.set(device.deviceId, etag);
    answer ??= recorded;
  }
  if (answer === undefined) throw new RangeError("no devices");
  return { etags, answer };
}

/**
 * Measures 304 polls (every device with its own ETag) and full fetches of the endpoint on the host, each against a
 * plain server answering the recorded bytes; the signature figure counts since bench.resetSignings(), which the
 * caller calls before the first request for this document.
 */
export async function signedEndpointFigures(bench: BenchHost, options: BenchOptions, endpoint: SignedEndpoint, raw?: RawStorageServer): Promise<Figure[]> {
  const { etags, answer } = await firstAnswers(bench, endpoint);
  const distinct = new Set(etags.values()).size;

  const poll = { path: endpoint.path, method: "GET" as const, devices: endpoint.devices, headersFor: (d: HostDevice) => ({ "if-none-match": etags.get(d.deviceId) ?? "" }), expect: [304] };
  const poll304 = await loadHost(bench, options, poll);
  const plain304 = await loadPlain(bench, options, poll, answer, [...etags.values()]);
  const raw304 = raw === undefined ? undefined : await loadHost(bench, options, poll, { next: 0 }, raw.origin);

  const full = { path: endpoint.path, method: "GET" as const, devices: endpoint.devices, expect: [200] };
  const full200 = await loadHost(bench, options, full);
  const plain200 = await loadPlain(bench, options, full, answer);
  const signings = bench.signings();

  return [
    ratioFigure(`${endpoint.id}.poll304`, `${endpoint.label} poll (304)`, poll304.result, plain304, { devices: endpoint.devices.length, assertionsPerSecond: Math.round(poll304.assertionsPerSecond) }),
    ...(raw304 === undefined ? [] : [rawStorageFigure(`${endpoint.id}.poll304.rawStorage`, `${endpoint.label} poll (304) vs. raw storage floor`, poll304.result, raw304.result)]),
    ratioFigure(`${endpoint.id}.full`, `${endpoint.label} full fetch (200, ${formatNumber(answer.body.length)} B)`, full200.result, plain200, {
      devices: endpoint.devices.length,
      bodyBytes: answer.body.length,
    }),
    {
      id: `${endpoint.id}.signatures`,
      label: `${endpoint.label} signatures / ${formatNumber(signings.requests)} answers`,
      value: signings.signatures,
      unit: "signatures",
      baseline: `${formatNumber(signings.requests - signings.signatures)} cache hits; ${distinct} distinct docs`,
      goal: `1 per distinct doc (${distinct})`,
      met: signings.signatures === distinct,
      details: { ...signings, distinctDocuments: distinct },
    },
  ];
}
