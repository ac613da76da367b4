import autocannon from "autocannon";
import type { LoadResult, LoadSpec } from "./load.js";

/** Child-process side of runLoad: one autocannon run per process, result sent back over IPC. */
async function run(spec: LoadSpec): Promise<LoadResult> {
  const statuses: Record<string, number> = {};
  let served = 0;
  const extra = spec.perRequestHeaders;
  const bodies = spec.bodies;
  const request: autocannon.Request = {
    method: spec.method,
    path: spec.path,
    headers: spec.headers,
    setupRequest(req) {
      const i = served++;
      const headers = extra === undefined || extra.length === 0 ? req.headers : { ...req.headers, ...extra[i % extra.length] };
      return { ...req, headers, ...(bodies === undefined ? {} : { body: bodies[i % bodies.length] ?? "" }) };
    },
  };
  const started = process.hrtime.bigint();
  let lastAnswer = started;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.origin,
        connections: spec.connections,
        duration: spec.durationSeconds,
        ...(spec.amount === undefined ? {} : { amount: spec.amount }),
        requests: [request],
        timeout: 30,
      },
      (error: unknown, r: autocannon.Result) => {
        if (error instanceof Error) reject(error);
        else if (error !== null && error !== undefined) reject(new Error(JSON.stringify(error)));
        else resolve(r);
      },
    );
    instance.on("response", (_client, statusCode) => {
      const key = String(statusCode);
      statuses[key] = (statuses[key] ?? 0) + 1;
      lastAnswer = process.hrtime.bigint();
    });
  });
  // autocannon notices a reached `amount` only on its one-second tick: time the run up to the last answer instead.
  const seconds = Number(lastAnswer - started) / 1e9;
  const expected = spec.expect.reduce((n, s) => n + (statuses[String(s)] ?? 0), 0);
  return {
    rps: expected / seconds,
    expected,
    requests: Object.values(statuses).reduce((a, b) => a + b, 0),
    seconds,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    bytesPerSecond: result.throughput.average,
  };
}

function isLoadSpec(value: unknown): value is LoadSpec {
  return typeof value === "object" && value !== null && "origin" in value && "path" in value && "connections" in value;
}

process.once("message", (message: unknown) => {
  if (!isLoadSpec(message)) {
    process.send?.({ error: "not a load spec" }, () => process.exit(1));
    return;
  }
  run(message).then(
    (result) => process.send?.(result, () => process.exit(0)),
    (error: unknown) => process.send?.({ error: error instanceof Error ? error.message : String(error) }, () => process.exit(1)),
  );
});
