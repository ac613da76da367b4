import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { resolve } from "node:path";
import { startBenchHost, type BenchHost } from "./bench-host.js";
import { parseBenchOptions, type BenchGroup, type BenchOptions } from "./bench-options.js";
import { contentFigures } from "./content-figures.js";
import { formatNumber, renderTable, round, type Figure } from "./figure.js";
import { httpFigures } from "./http-figures.js";
import { storageCountFigures } from "./storage-counts.js";
import { idleRss, sampleRss } from "./rss-sampler.js";
import { FIGURE_SLOTS, runSlot, slotModuleUrl } from "./slots.js";
import { sessionUploadFigures } from "./session-upload-rss.js";
import { uploadRssFigures } from "./upload-rss.js";

const MIB = 1024 * 1024;

const progress = (line: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

interface Failure {
  group: string;
  error: string;
}

/** Runs one group, turning a failure into a null row so that the other figures still come out. */
async function group(options: BenchOptions, name: BenchGroup, figures: Figure[], failures: Failure[], run: () => Promise<Figure[]>): Promise<void> {
  if (!options.groups.includes(name)) return;
  const started = Date.now();
  progress(`${name}...`);
  try {
    figures.push(...(await run()));
    progress(`${name} done in ${round((Date.now() - started) / 1000, 1)} s`);
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    progress(`${name} FAILED: ${message}`);
    failures.push({ group: name, error: message });
    figures.push({ id: `${name}.failed`, label: `${name} (failed)`, value: null, unit: "", note: message.split("\n")[0] ?? "" });
  }
}

/** Figure 6: the in-process host's RSS while the HTTP benches run. */
function hostRssFigure(idle: number, peak: number, samples: number): Figure {
  return {
    id: "http.hostRss",
    label: "Host RSS during HTTP benches (in-process)",
    value: round(peak / MIB, 1),
    unit: "MiB peak",
    baseline: `idle ${formatNumber(idle / MIB)} MiB; +${formatNumber((peak - idle) / MIB)} MiB`,
    note: "VmRSS of the bench process (/proc/self/status every 50 ms): the host, its hash worker pool and the pre-signed assertions; autocannon, the plain reference servers and Azurite run in their own processes",
    details: { idleBytes: idle, peakBytes: peak, samples, memoryUsage: process.memoryUsage() },
  };
}

async function hostPhase(options: BenchOptions, figures: Figure[], failures: Failure[]): Promise<void> {
  const hostSlots = FIGURE_SLOTS.filter((s) => s.needsHost);
  const wantsHostSlots = options.groups.includes("slots") && hostSlots.some((s) => slotModuleUrl(s) !== undefined);
  if (!options.groups.includes("http") && !wantsHostSlots) {
    if (options.groups.includes("slots")) for (const slot of hostSlots) figures.push(...(await runSlot(slot, { options })));
    return;
  }
  progress("starting the local host in-process (embedded Azurite)...");
  let bench: BenchHost | undefined;
  try {
    bench = await startBenchHost();
    const running = bench;
    await group(options, "http", figures, failures, async () => {
      const storage = running.host.azurite?.connectionString;
      const counts = storage === undefined ? [] : await storageCountFigures(storage);
      const idle = await idleRss(process.pid);
      const sampler = sampleRss(process.pid, 50);
      try {
        const measured = await httpFigures(running, options);
        const seen = sampler.stop();
        return [...counts, ...measured, hostRssFigure(idle, seen.peakBytes, seen.samples)];
      } finally {
        sampler.stop();
      }
    });
    await group(options, "slots", figures, failures, async () => {
      const out: Figure[] = [];
      for (const slot of hostSlots) out.push(...(await runSlot(slot, { options, host: { baseUrl: running.origin, dataDir: running.dataDir } })));
      return out;
    });
  } catch (error) {
    failures.push({ group: "host", error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  } finally {
    await bench?.stop();
  }
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const started = Date.now();
  const figures: Figure[] = [];
  const failures: Failure[] = [];
  progress(`options: ${JSON.stringify({ ...options, contentMiB: options.contentBytes / MIB, uploadMiB: options.uploadBytes / MIB })}`);

  // The host phase goes first so that its RSS figure starts from a fresh process, not from the content buffers.
  await hostPhase(options, figures, failures);
  await group(options, "content", figures, failures, () => contentFigures(options.contentBytes));
  await group(options, "slots", figures, failures, async () => {
    const out: Figure[] = [];
    for (const slot of FIGURE_SLOTS.filter((s) => !s.needsHost)) out.push(...(await runSlot(slot, { options })));
    return out;
  });
  await group(options, "upload", figures, failures, async () => [...(await uploadRssFigures(options.uploadBytes)), ...(await sessionUploadFigures(options.sessionBytes))]);

  const seconds = round((Date.now() - started) / 1000, 1);
  const table = renderTable(figures);
  process.stdout.write(`\n${table}\n\nbench: ${seconds} s on ${cpus().length} CPUs, node ${process.version}${failures.length > 0 ? `; ${failures.length} group(s) FAILED` : ""}\n`);
  const out = resolve(options.out);
  const json = {
    startedAt: new Date(started).toISOString(),
    seconds,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "", totalMemoryBytes: totalmem(), node: process.version, platform: process.platform },
    options,
    figures,
    failures,
    table,
  };
  writeFileSync(out, JSON.stringify(json, null, 2) + "\n");
  process.stdout.write(`written: ${out}\n`);
  process.exit(failures.length > 0 ? 1 : 0);
}

await main();
