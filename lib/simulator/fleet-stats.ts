import type { RequestSample } from "./agent-http.js";
import type { DeviceStage } from "./simulated-device.js";

/** Live counts of a fleet, for the progress bar. */
export interface ProgressSnapshot {
  total: number;
  /** Devices that started their initial run. */
  started: number;
  /** Devices that enrolled (cumulative). */
  enrolled: number;
  /** Devices currently at a step, by step kind. */
  inStep: Record<string, number>;
  succeeded: number;
  failed: number;
  /** Ended otherwise: silent, timeout or error. */
  other: number;
  requests: number;
  /** Attempts that got no 1xx-3xx answer. */
  errors: number;
}

/** Collects what the devices of a fleet report: stages, requests and step latencies. */
export class FleetStats {
  private readonly stages = new Map<string, DeviceStage>();
  private enrolledCount = 0;
  private requestCount = 0;
  private readonly errors = new Map<string, number>();
  private readonly latencies = new Map<string, number[]>();

  constructor(readonly total: number) {}

  /** Records a device's new stage. */
  onStage(deviceId: string, stage: DeviceStage): void {
    if (stage.type === "enrolled") this.enrolledCount++;
    this.stages.set(deviceId, stage);
  }

  /** Records one request attempt. */
  onRequest(sample: RequestSample): void {
    this.requestCount++;
    if (typeof sample.outcome !== "number" || sample.outcome >= 400) {
      const key = String(sample.outcome);
      this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
    }
  }

  /** Records how long a step of that kind took. */
  onStepLatency(kind: string, ms: number): void {
    const list = this.latencies.get(kind) ?? [];
    list.push(ms);
    this.latencies.set(kind, list);
  }

  /** Counts for the progress display. */
  snapshot(): ProgressSnapshot {
    const inStep: Record<string, number> = {};
    let succeeded = 0;
    let failed = 0;
    let other = 0;
    for (const stage of this.stages.values()) {
      if (stage.type === "step") inStep[stage.kind] = (inStep[stage.kind] ?? 0) + 1;
      else if (stage.type === "done") {
        if (stage.status === "succeeded") succeeded++;
        else if (stage.status === "failed") failed++;
        else other++;
      }
    }
    let errors = 0;
    for (const n of this.errors.values()) errors += n;
    return { total: this.total, started: this.stages.size, enrolled: this.enrolledCount, inStep, succeeded, failed, other, requests: this.requestCount, errors };
  }

  /** Error attempts by status ("429", "503", "network", "timeout", ...). */
  errorsByStatus(): Record<string, number> {
    return Object.fromEntries([...this.errors.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  get requests(): number {
    return this.requestCount;
  }

  /** Step latencies in ms by step kind. */
  stepLatencies(): Record<string, number[]> {
    return Object.fromEntries(this.latencies.entries());
  }
}
