import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EventType } from "../../../lib/durable/df-internals.js";
import { TableDurableStore } from "../../../lib/durable/table-store.js";
import { transpileDurableLib } from "./transpile-lib.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const INSTANCES = 20;
const STEPS = 5;

let buildDir: string;
beforeAll(() => {
  // Outside the repository; the child resolves packages through a node_modules link.
  buildDir = mkdtempSync(join(tmpdir(), "durable-kill-"));
  symlinkSync(join(repoRoot, "node_modules"), join(buildDir, "node_modules"), "dir");
  writeFileSync(join(buildDir, "package.json"), JSON.stringify({ type: "module" }));
  transpileDurableLib(repoRoot, buildDir, ["test/support/durable-fixtures/kill-worker.ts"]);
});
afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

function worker(args: string[]): { child: ChildProcess; stdoutSoFar: () => string; output: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [join(buildDir, "test/support/durable-fixtures/kill-worker.js"), ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const output = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, stdoutSoFar: () => stdout, output };
}

const markers = (file: string): { id: string; step: number; pid: number }[] =>
  existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => {
          const [id, step, pid] = line.split(" ");
          return { id: id ?? "", step: Number(step), pid: Number(pid) };
        })
    : [];

describe("LocalDurableRuntime across a kill -9", () => {
  it("when the process is killed mid-run, then a new process finishes every instance without skipping or re-recording a step", async () => {
    const cs = inject("storageConnectionString");
    const table = `durablekill${randomUUID().replace(/-/g, "").slice(0, 12)}`;
    const markerFile = join(buildDir, "markers.txt");

    const first = worker([cs, table, markerFile, "start", String(INSTANCES)]);
    let exitedEarly: { stderr: string } | undefined;
    void first.output.then((o) => (exitedEarly = o));
    // Killed once every instance is started (the worker says so) and 30 steps ran: under CPU load the
    // steps of the first instances can run before the last ones are created.
    for (let i = 0; markers(markerFile).length < 30 || !first.stdoutSoFar().includes("started"); i++) {
      if (exitedEarly !== undefined) throw new Error(`first worker exited: ${exitedEarly.stderr}`);
      if (i > 6000) throw new Error("first worker made no progress");
      await new Promise((r) => setTimeout(r, 10));
    }
    first.child.kill("SIGKILL");
    const killed = await first.output;
    expect(killed.signal).toBe("SIGKILL");

    // What was durably recorded when the process died: those steps must never run again.
    const store = new TableDurableStore(TableClient.fromConnectionString(cs, table, { allowInsecureConnection: true }));
    const recorded = new Set<string>();
    let unfinished = 0;
    for (let n = 0; n < INSTANCES; n++) {
      const id = `device-${n}`;
      const snap = await store.load(id);
      expect(snap).toBeDefined();
      if (snap!.meta.runtimeStatus !== "Completed") unfinished++;
      for (const e of snap!.history) if (e.EventType === EventType.TaskCompleted) recorded.add(`${id} ${String(e.TaskScheduledId)}`);
      for (const m of snap!.messages) if (m.kind === "task-completed") recorded.add(`${id} ${m.taskId}`);
    }
    expect(unfinished).toBeGreaterThan(0);

    const second = worker([cs, table, markerFile, "resume", String(INSTANCES)]);
    const resumed = await second.output;
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout.trim()) as { id: string; status: string; output: unknown }[];
    expect(summary).toHaveLength(INSTANCES);
    const expectedOutput = Array.from({ length: STEPS }, (_, s) => `step-${s}`);
    for (const s of summary) expect(s).toMatchObject({ status: "Completed", output: expectedOutput });

    for (let n = 0; n < INSTANCES; n++) {
      const id = `device-${n}`;
      const history = (await store.load(id))!.history;
      const scheduled = history.filter((e) => e.EventType === EventType.TaskScheduled).map((e) => e.EventId);
      const completed = history.filter((e) => e.EventType === EventType.TaskCompleted).map((e) => e.TaskScheduledId);
      expect(scheduled).toEqual([0, 1, 2, 3, 4]);
      expect([...completed].sort()).toEqual([0, 1, 2, 3, 4]);
    }

    const all = markers(markerFile);
    for (let n = 0; n < INSTANCES; n++) {
      for (let s = 0; s < STEPS; s++) expect(all.some((m) => m.id === `device-${n}` && m.step === s)).toBe(true);
    }
    const rerunAfterRecorded = all.filter((m) => m.pid === second.child.pid && recorded.has(`${m.id} ${m.step}`));
    expect(rerunAfterRecorded).toEqual([]);
  }, 120_000);
});
