import { EventType, HistoryEvents, type HistoryEventShape } from "./df-internals.js";
import type { InboxMessage } from "./store.js";

// Builders for the events the runtime appends, made with the library's own event classes
// so the shapes are exactly those its executor reads.

/** OrchestratorStarted: the episode's currentUtcDateTime. */
export const orchestratorStarted = (now: Date): HistoryEventShape => new HistoryEvents.OrchestratorStarted({ eventId: -1, timestamp: now });

/** OrchestratorCompleted: closes an episode. */
export const orchestratorCompleted = (now: Date): HistoryEventShape => new HistoryEvents.OrchestratorCompleted({ eventId: -1, timestamp: now });

/** ExecutionStarted with the JSON input. */
export const executionStarted = (now: Date, name: string, input: unknown): HistoryEventShape =>
  new HistoryEvents.ExecutionStarted({ eventId: -1, timestamp: now, name, input: input === undefined ? undefined : JSON.stringify(input) });

/** TaskScheduled for sequence number `id`. */
export const taskScheduled = (now: Date, id: number, name: string, input: string | undefined): HistoryEventShape =>
  new HistoryEvents.TaskScheduled({ eventId: id, timestamp: now, name, input });

/** TimerCreated for sequence number `id`. */
export const timerCreated = (now: Date, id: number, fireAt: Date): HistoryEventShape =>
  new HistoryEvents.TimerCreated({ eventId: id, timestamp: now, fireAt: fireAt.toISOString() });

/** ExecutionCompleted / ExecutionTerminated marker at the end of a finished history (not read by the executor). */
export const executionEnded = (now: Date, type: "completed" | "terminated", result: unknown): HistoryEventShape => ({
  EventType: type === "completed" ? EventType.ExecutionCompleted : EventType.ExecutionTerminated,
  EventId: -1,
  IsPlayed: false,
  Timestamp: now,
  Result: result === undefined ? undefined : JSON.stringify(result),
});

/** The history event an inbox message becomes; undefined for terminate. */
export function messageEvent(now: Date, message: InboxMessage, activityName: (taskId: number) => string): HistoryEventShape | undefined {
  switch (message.kind) {
    case "task-completed":
      return new HistoryEvents.TaskCompleted({ eventId: -1, timestamp: now, taskScheduledId: message.taskId, result: message.result });
    case "task-failed":
      return new HistoryEvents.TaskFailed({
        eventId: -1,
        timestamp: now,
        taskScheduledId: message.taskId,
        reason: `Activity function '${activityName(message.taskId)}' failed: ${message.errorMessage}`,
        details: message.stack ?? "",
        failureDetails: { ErrorType: message.errorType, ErrorMessage: message.errorMessage, StackTrace: message.stack, IsNonRetriable: false },
      });
    case "timer-fired":
      return new HistoryEvents.TimerFired({ eventId: -1, timestamp: now, timerId: message.timerId, fireAt: message.fireAt });
    case "event-raised":
      return new HistoryEvents.EventRaised({ eventId: -1, timestamp: now, name: message.name, input: message.input });
    case "terminate":
      return undefined;
  }
}
