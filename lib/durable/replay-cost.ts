import type { OrchestrationContext } from "durable-functions";
import { HistoryEvents, type HistoryEventShape } from "./df-internals.js";
import { executionStarted, orchestratorCompleted, orchestratorStarted, taskScheduled } from "./history-events.js";
import { compileOrchestrator, replayOrchestration } from "./replay.js";

const STEP = "replay-cost-step";

function* sequential(context: OrchestrationContext): Generator<unknown, number, unknown> {
  const steps = context.df.getInput<number>();
  for (let i = 0; i < steps; i++) yield context.df.callActivity(STEP, i);
  return steps;
}

/** A stored-shape history in which `completed` sequential activities have finished and one more is due. */
export function completedActivityHistory(completed: number, start = new Date(Date.UTC(2026, 0, 1))): HistoryEventShape[] {
  const at = (n: number): Date => new Date(start.getTime() + n * 1000);
  const history: HistoryEventShape[] = [orchestratorStarted(at(0)), executionStarted(at(0), "replay-cost", completed + 1)];
  for (let i = 0; i < completed; i++) {
    history.push(taskScheduled(at(i), i, STEP, JSON.stringify(i)), orchestratorCompleted(at(i)), orchestratorStarted(at(i + 1)));
    history.push(new HistoryEvents.TaskCompleted({ eventId: -1, timestamp: at(i + 1), taskScheduledId: i, result: JSON.stringify(i) }));
  }
  return JSON.parse(JSON.stringify(history)) as HistoryEventShape[];
}

/** Times one replay over a history of `completed` finished activities (what every new step costs); milliseconds. */
export async function measureReplay(completed: number): Promise<{ events: number; milliseconds: number; scheduled: number }> {
  const orchestrator = compileOrchestrator(sequential);
  const history = completedActivityHistory(completed);
  const began = process.hrtime.bigint();
  const result = await replayOrchestration(orchestrator, "replay-cost", "replay-cost", completed + 1, history, new Date(Date.UTC(2026, 0, 2)));
  const milliseconds = Number(process.hrtime.bigint() - began) / 1e6;
  if (result.status !== "running") throw new Error(`replay-cost orchestration ended as ${result.status}: ${result.error ?? ""}`);
  return { events: history.length, milliseconds, scheduled: result.newWork.length };
}
