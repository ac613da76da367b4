import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DevIdentityProvider } from "../../lib/auth/dev-identity-provider.js";
import { ADMIN_ROLE } from "../../lib/auth/principals.js";
import { resolveUser } from "../../lib/cli/dev-identity.js";
import { CONTOSO_TENANT_ID } from "../../lib/directory/demo-directory.js";
import { startAzurite } from "../../lib/localhost/azurite-process.js";
import { readDevIssuerInfo } from "../../lib/localhost/dev-settings.js";
import { freePort } from "../../lib/localhost/free-port.js";
import { buildNupkg, streamedNupkg } from "../support/nupkg-builder.js";
import { formatNumber, round, type Figure } from "./figure.js";
import { idleRss, sampleRss } from "./rss-sampler.js";

const MIB = 1024 * 1024;
const GOAL_DELTA_MIB = 64;
/**
 * Azurite 3.35 validates a SAS copy source by reading the whole source blob into a string: a server-side Copy Blob
 * of more than 512 MiB (V8's longest string) answers 500, which the host turns into 503 when it moves the package
 * from staging. The streaming and hashing are complete by then, so the RSS figure stands.
 */
const AZURITE_COPY_LIMIT = 512 * MIB;
const MAIN = fileURLToPath(new URL("../../lib/localhost/main.js", import.meta.url));

/** A local host running as a child process (`node dist/lib/localhost/main.js`). */
interface ChildHost {
  child: ChildProcess;
  pid: number;
  origin: string;
  /** The last lines the host wrote (its JSON log), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export async function startChildHost(dataDir: string, storage: string): Promise<ChildHost> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN, "--port", String(port), "--data", dataDir, "--dev-identity"], {
    cwd: dataDir,
    // The figure is about memory while streaming a large package, so the host's 100 MB body limit is raised here.
    env: { ...process.env, AzureWebJobsStorage: storage, FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: String(4 * 1024 * MIB), RJ_UPLOAD_LIMIT_BYTES: String(4 * 1024 * MIB) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  let tail: string[] = [];
  child.stderr?.on("data", (chunk: Buffer) => {
    if (stderr.length < 8192) stderr += chunk.toString();
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    tail = [...tail, ...chunk.toString().split("\n").filter((l) => l.trim() !== "")].slice(-15);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the local host exited during start-up: ${stderr.trim()}`);
    const ok = await fetch(`${origin}/api/health`).then(
      async (r) => {
        await r.arrayBuffer();
        return r.status === 200;
      },
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the local host did not answer /api/health within 60 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (child.pid === undefined) throw new Error("the local host has no pid");
  return {
    child,
    pid: child.pid,
    origin,
    log: () => [...tail, ...stderr.split("\n").filter((l) => l.trim() !== "")].slice(-20).join("\n"),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** An admin token of the child host's dev identity provider (issuer read from `<data>/dev-idp/issuer.json`). */
export async function adminToken(dataDir: string): Promise<string> {
  const info = readDevIssuerInfo(dataDir);
  const idp = await DevIdentityProvider.open({ dataDir, issuerBase: info.issuerBase, v1IssuerBase: info.v1IssuerBase });
  const user = resolveUser(CONTOSO_TENANT_ID, undefined);
  return await idp.mintAccessToken({ tenantId: CONTOSO_TENANT_ID, oid: user.oid, upn: user.upn, name: user.name, roles: [ADMIN_ROLE], audience: info.audience });
}

/** A request body over the generator; `sent` resolves when the generator is drained (the last byte handed to fetch). */
function streamBody(chunks: AsyncGenerator<Uint8Array>): { body: ReadableStream<Uint8Array>; sent: Promise<void> } {
  let drained: () => void = () => undefined;
  const sent = new Promise<void>((resolve) => (drained = resolve));
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done === true) {
        controller.close();
        drained();
      } else controller.enqueue(next.value);
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  return { body, sent };
}

/** PUTs the package; returns the status and body text (any status). */
async function upload(origin: string, token: string, body: Uint8Array | ReadableStream<Uint8Array>): Promise<{ status: number; text: string }> {
  const init = {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
    body,
    duplex: "half",
  } as RequestInit;
  const res = await fetch(`${origin}/api/admin/v1/packages`, init);
  return { status: res.status, text: await res.text() };
}

/**
 * Figure 5: the local host as a child process against an Azurite started here; a small warm-up upload, the idle RSS
 * (median of 10 readings), then a streamed .nupkg with a payload of `payloadBytes` while /proc/<pid>/status VmRSS is
 * read every 50 ms. Throws when the host cannot start or the upload is refused.
 */
export async function uploadRssFigures(payloadBytes: number): Promise<Figure[]> {
  const root = mkdtempSync(join(tmpdir(), "rj-bench-upload-"));
  const azurite = await startAzurite({ location: join(root, "azurite") });
  let host: ChildHost | undefined;
  try {
    const dataDir = join(root, "data");
    mkdirSync(dataDir);
    host = await startChildHost(dataDir, azurite.connectionString);
    const token = await adminToken(dataDir);
    const bootRss = await idleRss(host.pid);
    const warm = await upload(host.origin, token, buildNupkg({ id: "Bench.Warmup", version: "1.0.0" }));
    if (warm.status !== 201) throw new Error(`the warm-up upload answered ${warm.status}: ${warm.text.slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 1000));
    const idle = await idleRss(host.pid);

    const sampler = sampleRss(host.pid, 50);
    const started = process.hrtime.bigint();
    const stream = streamBody(streamedNupkg({ id: "Bench.Big", version: "1.0.0" }, payloadBytes));
    let sentSeconds = NaN;
    void stream.sent.then(() => (sentSeconds = Number(process.hrtime.bigint() - started) / 1e9));
    const answer = await upload(host.origin, token, stream.body);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const azuriteCopyLimit = answer.status === 503 && payloadBytes > AZURITE_COPY_LIMIT && host.log().includes('"error":"RestError"');
    if (answer.status !== 201 && !azuriteCopyLimit) {
      throw new Error(`the upload answered ${answer.status}: ${answer.text.slice(0, 300)}\nhost log:\n${host.log()}`);
    }
    const finalized = answer.status === 201;
    const seen = sampler.stop();
    const deltaMiB = (seen.peakBytes - idle) / MIB;
    const sizeLabel = payloadBytes >= 1024 * MIB ? `${formatNumber(payloadBytes / (1024 * MIB))} GiB` : `${formatNumber(payloadBytes / MIB)} MiB`;
    return [
      {
        id: "upload.rssDelta",
        label: `Upload ${sizeLabel} .nupkg: host peak RSS above idle`,
        value: round(deltaMiB, 1),
        unit: "MiB",
        baseline: `idle ${formatNumber(idle / MIB)} MiB, peak ${formatNumber(seen.peakBytes / MIB)} MiB`,
        goal: `< ${GOAL_DELTA_MIB} MiB`,
        met: deltaMiB < GOAL_DELTA_MIB,
        note:
          `child process host (node dist/lib/localhost/main.js), VmRSS every 50 ms (${seen.samples} samples); idle measured after a small warm-up upload (just after start: ${formatNumber(bootRss / MIB)} MiB)` +
          (finalized ? "" : `; answered ${answer.status} at the final staging->content Copy Blob: Azurite cannot copy a SAS source over 512 MiB (streaming and hashing had completed)`),
        details: { payloadBytes, idleBytes: idle, bootBytes: bootRss, peakBytes: seen.peakBytes, samples: seen.samples, seconds: round(seconds, 2), status: answer.status, finalized },
      },
      {
        id: "upload.throughput",
        label: `Upload ${sizeLabel} .nupkg: ingest until last byte sent`,
        value: round(payloadBytes / MIB / sentSeconds, 1),
        unit: "MiB/s",
        baseline: `answer ${answer.status} after ${formatNumber(seconds)} s`,
        details: { sentSeconds: round(sentSeconds, 2), answeredSeconds: round(seconds, 2), status: answer.status },
      },
    ];
  } finally {
    await host?.stop();
    await azurite.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
