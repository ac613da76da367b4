// Child process for the kill -9 test: runs a LocalDurableRuntime over a Table store.
// The test transpiles this file with lib/ into a temporary folder and runs it with node.
// argv: <connection string> <table> <marker file> <start|resume> <instance count>
import { appendFileSync } from "node:fs";
import { TableClient } from "@azure/data-tables";
import type { OrchestrationContext } from "durable-functions";
import { LocalDurableRuntime } from "../../../lib/durable/local-runtime.js";
import type { OrchestrationStatus } from "../../../lib/durable/orchestration-client.js";
import { DurableRegistry } from "../../../lib/durable/registry.js";
import { TableDurableStore } from "../../../lib/durable/table-store.js";

const [connectionString = "", tableName = "", markerFile = "", mode = "", countText = "0"] = process.argv.slice(2);
const STEPS = 5;

const registry = new DurableRegistry()
  .activity("slow-step", async (input) => {
    const { instanceId, step } = input as { instanceId: string; step: number };
    await new Promise((r) => setTimeout(r, 30 + Math.floor(Math.random() * 50)));
    appendFileSync(markerFile, `${instanceId} ${step} ${process.pid}\n`);
    return `step-${step}`;
  })
  .orchestration("kill-steps", function* (context: OrchestrationContext) {
    const done: unknown[] = [];
    for (let step = 0; step < STEPS; step++) {
      const result: unknown = yield context.df.callActivity("slow-step", { instanceId: context.df.instanceId, step });
      done.push(result);
    }
    return done;
  });

const store = new TableDurableStore(TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: true }));
const runtime = new LocalDurableRuntime({ store, registry, maxConcurrentActivities: 6 });
await runtime.start();
const ids = Array.from({ length: Number(countText) }, (_, i) => `device-${i}`);
if (mode === "start") {
  for (const id of ids) await runtime.startNew("kill-steps", id, null);
  process.stdout.write("started\n");
  // Keeps running until the test kills it.
} else {
  const statuses: OrchestrationStatus[] = [];
  for (const id of ids) statuses.push(await runtime.waitForCompletion(id, 90_000));
  await runtime.stop();
  process.stdout.write(`${JSON.stringify(statuses.map((s) => ({ id: s.instanceId, status: s.runtimeStatus, output: s.output })))}\n`);
  process.exit(0);
}
