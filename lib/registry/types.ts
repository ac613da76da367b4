import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from "@azure/functions";
import type { ActivityHandler, OrchestrationHandler } from "durable-functions";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD";

export type HttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

/** Which functions/ file registers the entry; also groups routes in logs. */
export type Area = "system" | "agent" | "admin" | "operator" | "content" | "dev";

/** One HTTP function, mounted identically by the Azure host and the local host. */
export interface HttpFunctionEntry {
  name: string;
  /** Route template below the "api" prefix, in Azure Functions syntax. */
  route: string;
  methods: HttpMethod[];
  area: Area;
  handler: HttpHandler;
  /** True when the handler reaches orchestrations (the Azure host then binds a durable client). */
  durableClient?: boolean;
}

export interface TimerFunctionEntry {
  name: string;
  /** Name of the setting holding the NCRONTAB schedule (Azure resolves %NAME%, the local host reads it). */
  scheduleSetting: string;
  handler: (timer: Timer, context: InvocationContext) => Promise<void>;
  durableClient?: boolean;
}

/** A durable-functions v3 orchestrator generator, exactly as df.app.orchestration takes it. */
export interface OrchestratorEntry {
  name: string;
  handler: OrchestrationHandler;
}

export interface ActivityEntry {
  name: string;
  handler: ActivityHandler;
}

export interface FunctionRegistry {
  http: HttpFunctionEntry[];
  timers: TimerFunctionEntry[];
  orchestrators: OrchestratorEntry[];
  activities: ActivityEntry[];
}
