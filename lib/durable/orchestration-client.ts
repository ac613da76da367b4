/** Runtime statuses an instance can report (the local runtime uses all but Canceled and Suspended). */
export type OrchestrationRuntimeStatus =
  | "Pending"
  | "Running"
  | "Completed"
  | "Failed"
  | "Terminated"
  | "ContinuedAsNew"
  | "Canceled"
  | "Suspended";

/** What HTTP handlers may know about an instance. */
export interface OrchestrationStatus {
  instanceId: string;
  name: string;
  runtimeStatus: OrchestrationRuntimeStatus;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: Date;
  lastUpdatedTime: Date;
}

/** The one door from HTTP handlers to orchestrations: the Durable client in Azure, the local runtime at home. */
export interface OrchestrationClient {
  /** Starts `name` under `instanceId`; "exists" when a non-terminal instance already has that id (a terminal one is replaced). Throws AppError validation for an unknown orchestrator (local). */
  startNew(name: string, instanceId: string, input: unknown): Promise<"started" | "exists">;
  /** Delivers an event (buffered until the orchestrator waits for it). Throws AppError not-found when the instance is absent; no effect when it has finished. */
  raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<void>;
  /** The instance's status; undefined when absent. */
  getStatus(instanceId: string): Promise<OrchestrationStatus | undefined>;
  /** Stops the instance (status Terminated, output = reason). Throws AppError not-found when absent; no effect when finished. */
  terminate(instanceId: string, reason: string): Promise<void>;
  /** Deletes a finished instance's record and history. False when absent or not finished. */
  purge(instanceId: string): Promise<boolean>;
  /**
   * Deletes the records and histories of the finished instances (Completed, Failed, Terminated)
   * created in [from, to); returns how many. Optional: the Durable client has it (purgeInstanceHistoryBy);
   * where absent, reconciliation lists finished instances itself and purges them one by one.
   */
  purgeFinishedBetween?(from: Date, to: Date): Promise<number>;
}
