import { AgentNetworkError } from "./agent-http.js";
import type { StateAck, StateReportBody } from "./api-types.js";

/** What the transport made of one POST /state. */
export type StateSendResult = { status: number; ack?: StateAck; problem?: string };

export interface StateReporterDeps {
  /** Posts one report; throws AgentNetworkError when the back-end cannot be reached. */
  send(report: StateReportBody): Promise<StateSendResult>;
  /** The device's current state, without sequence and time. */
  snapshot(): Omit<StateReportBody, "sequence" | "reportedAt">;
  now(): number;
  /** A report the back-end refused for good (a 4xx other than 408/429). */
  onRejected?(report: StateReportBody, result: StateSendResult): void;
}

/**
 * State reports with strictly increasing sequences that are never lost: each is queued, sent in order, and a report
 * that could not be delivered (network, 408, 429, 5xx) stays queued and is resent unchanged, same sequence, later.
 */
export class StateReporter {
  private sequence: number;
  private readonly queue: StateReportBody[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private ack: StateAck | undefined;
  private rejected = 0;

  constructor(
    private readonly deps: StateReporterDeps,
    /** The last sequence already used (a restarted agent continues from its stored one). */
    lastSequence = 0,
  ) {
    this.sequence = lastSequence;
  }

  /** Queues a report of the current state and flushes the queue; resolves true when everything was delivered. */
  report(): Promise<boolean> {
    const body: StateReportBody = { sequence: ++this.sequence, reportedAt: new Date(this.deps.now()).toISOString(), ...this.deps.snapshot() };
    this.queue.push(body);
    return this.flush();
  }

  /** Sends what is queued, oldest first, stopping at the first report that cannot be delivered now; resolves true when the queue is empty. */
  flush(): Promise<boolean> {
    const run = this.chain.then(() => this.drain());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** The last acknowledgement (`nextReportSeconds`, `configHash`); undefined before the first. */
  get lastAck(): StateAck | undefined {
    return this.ack;
  }

  /** Reports waiting for delivery. */
  get pending(): readonly StateReportBody[] {
    return this.queue;
  }

  get lastSequence(): number {
    return this.sequence;
  }

  /** Reports the back-end refused for good. */
  get rejectedCount(): number {
    return this.rejected;
  }

  private async drain(): Promise<boolean> {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      let result: StateSendResult;
      try {
        result = await this.deps.send(head);
      } catch (e) {
        if (e instanceof AgentNetworkError) return false;
        throw e;
      }
      if (result.status >= 200 && result.status < 300) {
        this.queue.shift();
        if (result.ack !== undefined) this.ack = result.ack;
      } else if (result.status === 408 || result.status === 429 || result.status >= 500) {
        return false;
      } else {
        this.queue.shift();
        this.rejected++;
        this.deps.onRejected?.(head, result);
      }
    }
    return true;
  }
}
