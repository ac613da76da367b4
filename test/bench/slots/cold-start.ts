import { existsSync } from "node:fs";
import { join } from "node:path";
import { round, type Figure } from "../figure.js";
import type { SlotContext } from "../slots.js";
import { loadAsWorker, mainFiles, repoRoot } from "../worker-load.js";
import { median } from "./durable-replay.js";

const GOAL_RATIO = 3;

/**
 * Slot "cold-start": what the Node worker pays on every cold start, importing every file of package.json
 * "main", against a one-function @azure/functions app; each in a fresh process, alternating, median.
 */
export async function figures(context: SlotContext): Promise<Figure[]> {
  const baselineFile = join(repoRoot, "dist/test/bench/one-function-app.js");
  if (!existsSync(baselineFile)) throw new Error("build first: dist/test/bench/one-function-app.js is missing");
  const files = mainFiles();
  const runs = context.options.quick ? 5 : 11;
  const app: number[] = [];
  const baseline: number[] = [];
  await loadAsWorker([baselineFile]);
  await loadAsWorker(files);
  for (let i = 0; i < runs; i++) {
    baseline.push((await loadAsWorker([baselineFile])).milliseconds);
    app.push((await loadAsWorker(files)).milliseconds);
  }
  const appMs = median(app);
  const baselineMs = median(baseline);
  const ratio = appMs / baselineMs;
  return [
    {
      id: "coldStart.import",
      label: `cold start: import of the ${files.length} main entry point(s)`,
      value: round(appMs, 0),
      unit: "ms",
      baseline: `one-function @azure/functions app ${round(baselineMs, 0)} ms, ratio ${round(ratio, 2)}`,
      ratio: round(ratio, 2),
      goal: `ratio <= ${GOAL_RATIO}`,
      met: ratio <= GOAL_RATIO,
      note: `median of ${runs} fresh processes each, alternating`,
      details: { appMs: app, baselineMs: baseline, files: files.map((f) => f.slice(repoRoot.length + 1)) },
    },
  ];
}
