import { loadAsWorker, mainFiles } from "../bench/worker-load.js";

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

/** Loads every built entry point package.json "main" matches, in a fresh Node process, as the worker does. */
export async function loadEntryPoints(): Promise<{ files: string[]; functions: WorkerFunctionMetadata[] }> {
  const files = mainFiles();
  if (files.length === 0) throw new Error("package.json main matches no file: run npm run build first");
  const { functions } = await loadAsWorker<WorkerFunctionMetadata>(files);
  return { files, functions };
}
