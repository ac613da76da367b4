import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";

/** The repository root (this file runs from test/bench under vitest and from dist/test/bench when built). */
export const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!readdirSync(dir).includes("package.json")) dir = dirname(dir);
  return dir;
})();

/**
 * Stands in for the Node worker's core module: @azure/functions requires "@azure/functions-core" (only
 * present inside the worker) and calls setProgrammingModel, registerFunction(metadata, callback) and
 * log. This preload answers that require and records every registerFunction call, so a plain Node
 * process loads an app exactly as the worker would and sees the metadata the host would receive.
 */
const PRELOAD = `
const Module = require("node:module");
const registered = [];
const core = {
  setProgrammingModel(model) { core.model = model; },
  getProgrammingModel() { return core.model; },
  registerFunction(metadata) { registered.push(metadata); return { dispose() {} }; },
  registerHook() { return { dispose() {} }; },
  log() {},
};
globalThis.__workerRegistered = registered;
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === "@azure/functions-core" ? core : load.call(this, request, ...rest);
};
`;

/** Imports the given files in order (as the worker imports the package's main files) and reports time and registrations. */
const LOADER = `
const files = JSON.parse(process.argv[1]);
const started = performance.now();
for (const file of files) await import(file);
const milliseconds = performance.now() - started;
process.stdout.write(JSON.stringify({ milliseconds, functions: globalThis.__workerRegistered }));
`;

let preloadPath: string | undefined;

function preload(): string {
  if (preloadPath === undefined) {
    preloadPath = join(mkdtempSync(join(tmpdir(), "rj-worker-core-")), "functions-core-stub.cjs");
    writeFileSync(preloadPath, PRELOAD);
  }
  return preloadPath;
}

/** The files package.json "main" matches (a glob such as dist/functions/*.js), sorted, as absolute paths. */
export function mainFiles(): string[] {
  const main = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { main: string }).main;
  const dir = join(repoRoot, dirname(main));
  const pattern = new RegExp(`^${basename(main).replace(/\./g, "\\.").replace(/\*/g, "[^/]*")}$`);
  return readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort()
    .map((f) => join(dir, f));
}

export interface WorkerLoad<M> {
  /** Time to import every file, in a fresh process with nothing loaded before. */
  milliseconds: number;
  functions: M[];
}

/** Loads `files` in a fresh Node process through @azure/functions with the stand-in core module. */
export async function loadAsWorker<M = unknown>(files: readonly string[]): Promise<WorkerLoad<M>> {
  const urls = files.map((f) => pathToFileURL(f).href);
  const { stdout } = await promisify(execFile)(process.execPath, ["--require", preload(), "--input-type=module", "-e", LOADER, JSON.stringify(urls)], {
    cwd: repoRoot,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as WorkerLoad<M>;
}
