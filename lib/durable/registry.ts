import type { InvocationContext } from "@azure/functions";
import type { OrchestrationHandler } from "durable-functions";

/** An activity body: the same function `df.app.activity(name, { handler })` receives. */
export type ActivityHandler = (input: unknown, context: InvocationContext) => unknown;

/**
 * Orchestrators and activities declared once; the Azure host registers each entry with
 * df.app.orchestration / df.app.activity, the local host hands the registry to LocalDurableRuntime.
 */
export class DurableRegistry {
  private readonly orchestrationMap = new Map<string, OrchestrationHandler>();
  private readonly activityMap = new Map<string, ActivityHandler>();

  /** Declares an orchestrator generator. Throws on a duplicate name. */
  orchestration(name: string, handler: OrchestrationHandler): this {
    if (this.orchestrationMap.has(name)) throw new Error(`orchestration '${name}' is already registered`);
    this.orchestrationMap.set(name, handler);
    return this;
  }

  /** Declares an activity. Throws on a duplicate name. */
  activity(name: string, handler: ActivityHandler): this {
    if (this.activityMap.has(name)) throw new Error(`activity '${name}' is already registered`);
    this.activityMap.set(name, handler);
    return this;
  }

  /** The orchestrator generator; undefined when not registered. */
  getOrchestration(name: string): OrchestrationHandler | undefined {
    return this.orchestrationMap.get(name);
  }

  /** The activity handler; undefined when not registered. */
  getActivity(name: string): ActivityHandler | undefined {
    return this.activityMap.get(name);
  }

  /** All orchestrations, for mounting in a host. */
  orchestrations(): [string, OrchestrationHandler][] {
    return [...this.orchestrationMap.entries()];
  }

  /** All activities, for mounting in a host. */
  activities(): [string, ActivityHandler][] {
    return [...this.activityMap.entries()];
  }
}
