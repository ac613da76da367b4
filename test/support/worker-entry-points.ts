import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** One binding of a function's metadata, as @azure/functions hands it to the worker. */
export interface WorkerBinding {
  type: string;
  direction: "in" | "out";
  route?: string;
  methods?: string[];
  authLevel?: string;
}

/** What the Node worker passes to the host for one function (registerFunction's metadata). */
export interface WorkerFunctionMetadata {
  name: string;
  bindings: Record<string, WorkerBinding>;
}

/**
 * Stands in for the worker's core module: @azure/functions requires "@azure/functions-core" (only
 * present inside the Node worker) and calls setProgrammingModel, registerFunction(metadata, callback)
 * and log. The preload answers that require and records every registerFunction call.
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

/** Imports each entry point the way the worker does (every file package.json "main" matches), then reports the registrations. */
const LOADER = `
import { readdirSync } from "node:fs";
import { join, dirname, basename } from "node:path";
import { pathToFileURL } from "node:url";
const main = process.argv[1];
const dir = dirname(main);
const pattern = new RegExp("^" + basename(main).replace(/\\./g, "\\\\.").replace(/\\*/g, ".*") + "$");
const files = readdirSync(dir).filter((f) => pattern.test(f)).sort();
for (const file of files) await import(pathToFileURL(join(dir, file)).href);
process.stdout.write(JSON.stringify({ files, functions: globalThis.__workerRegistered }));
`;

/** The package's "main" glob (e.g. dist/functions/*.js), relative to the repository root. */
export function packageMain(): string {
  return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { main: string }).main;
}

/** Loads the built entry points in a fresh Node process through @azure/functions and returns what the host would receive. */
export async function loadEntryPoints(): Promise<{ files: string[]; functions: WorkerFunctionMetadata[] }> {
  const main = packageMain();
  if (!existsSync(join(root, main.slice(0, main.lastIndexOf("/"))))) throw new Error(`${main} is missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), "rj-worker-core-"));
  const preload = join(dir, "functions-core-stub.cjs");
  writeFileSync(preload, PRELOAD);
  const { stdout } = await promisify(execFile)(process.execPath, ["--require", preload, "--input-type=module", "-e", LOADER, join(root, main)], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as { files: string[]; functions: WorkerFunctionMetadata[] };
}
