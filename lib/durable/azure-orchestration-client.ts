import type { InvocationContext } from "@azure/functions";
import durableFunctions, { type DurableClient, type DurableOrchestrationStatus } from "durable-functions";
import { notFound } from "../core/errors.js";
import type { OrchestrationClient, OrchestrationStatus } from "./orchestration-client.js";

const FINISHED: readonly string[] = ["Completed", "Failed", "Terminated", "Canceled"];

// The Durable client signals an unknown instance only through its error text.
const isMissing = (e: unknown): boolean => e instanceof Error && (/HTTP 404/.test(e.message) || /^No instance with ID/.test(e.message));

// A start under an id whose instance is running answers 409 Conflict; the client reports it only in its error text.
const isConflict = (e: unknown): boolean => e instanceof Error && /unexpected status code: 409\b/.test(e.message);

const toStatus = (s: DurableOrchestrationStatus): OrchestrationStatus => ({
  instanceId: s.instanceId,
  name: s.name,
  runtimeStatus: s.runtimeStatus,
  input: s.input,
  output: s.output,
  customStatus: s.customStatus,
  createdTime: new Date(s.createdTime),
  lastUpdatedTime: new Date(s.lastUpdatedTime),
});

/** OrchestrationClient over the Durable Functions client of one invocation (Azure host). */
export class AzureOrchestrationClient implements OrchestrationClient {
  constructor(private readonly client: DurableClient) {}

  /** The client for a function registered with `extraInputs: [df.input.durableClient()]`; throws when that binding is missing. */
  static fromContext(context: InvocationContext): AzureOrchestrationClient {
    return new AzureOrchestrationClient(durableFunctions.getClient(context));
  }

  async startNew(name: string, instanceId: string, input: unknown): Promise<"started" | "exists"> {
    const existing = await this.getStatus(instanceId);
    if (existing !== undefined && !FINISHED.includes(existing.runtimeStatus)) return "exists";
    try {
      await this.client.startNew(name, { instanceId, input });
    } catch (e) {
      // Another caller started the same instance between our look and our start.
      if (isConflict(e)) return "exists";
      throw e;
    }
    return "started";
  }

  async raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<void> {
    try {
      await this.client.raiseEvent(instanceId, eventName, data);
    } catch (e) {
      if (isMissing(e)) throw notFound(`no orchestration instance '${instanceId}'`);
      throw e;
    }
  }

  async getStatus(instanceId: string): Promise<OrchestrationStatus | undefined> {
    try {
      return toStatus(await this.client.getStatus(instanceId, { showInput: true }));
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  async terminate(instanceId: string, reason: string): Promise<void> {
    try {
      await this.client.terminate(instanceId, reason);
    } catch (e) {
      if (isMissing(e)) throw notFound(`no orchestration instance '${instanceId}'`);
      throw e;
    }
  }

  async purge(instanceId: string): Promise<boolean> {
    const existing = await this.getStatus(instanceId);
    if (existing === undefined || !FINISHED.includes(existing.runtimeStatus)) return false;
    return (await this.client.purgeInstanceHistory(instanceId)).instancesDeleted > 0;
  }

  async purgeFinishedBetween(from: Date, to: Date): Promise<number> {
    const { OrchestrationRuntimeStatus: S } = durableFunctions;
    const result = await this.client.purgeInstanceHistoryBy({
      createdTimeFrom: from,
      createdTimeTo: to,
      runtimeStatus: [S.Completed, S.Failed, S.Terminated],
    });
    return result.instancesDeleted;
  }
}
