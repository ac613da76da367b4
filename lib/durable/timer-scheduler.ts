import type { Clock } from "../core/clock.js";

/** A durable timer of one execution, due at `fireAt` (ms since epoch). */
export interface ScheduledTimer {
  instanceId: string;
  executionId: string;
  timerId: number;
  fireAt: number;
}

// setTimeout's delay is a signed 32-bit integer; longer waits are re-armed.
const MAX_DELAY = 2_147_483_647;

/** Keeps each instance's open timers and arms one setTimeout for the earliest; never polls. */
export class TimerScheduler {
  private readonly byInstance = new Map<string, ScheduledTimer[]>();
  private handle: NodeJS.Timeout | undefined;
  private armedFor: number | undefined;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: (timer: ScheduledTimer) => void,
  ) {}

  /** Replaces the open timers of an instance (an empty list clears them). */
  set(instanceId: string, timers: ScheduledTimer[]): void {
    if (timers.length === 0) this.byInstance.delete(instanceId);
    else this.byInstance.set(instanceId, timers);
    this.arm();
  }

  /** Fires every timer that is due by the clock now (also what the armed setTimeout calls). */
  checkNow(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    const due: ScheduledTimer[] = [];
    for (const [instanceId, timers] of this.byInstance) {
      const left = timers.filter((t) => (t.fireAt <= now ? (due.push(t), false) : true));
      if (left.length === 0) this.byInstance.delete(instanceId);
      else if (left.length !== timers.length) this.byInstance.set(instanceId, left);
    }
    for (const t of due.sort((a, b) => a.fireAt - b.fireAt)) this.onDue(t);
    this.arm();
  }

  /** Cancels the armed setTimeout; the scheduler does nothing afterwards. */
  stop(): void {
    this.stopped = true;
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
  }

  private arm(): void {
    if (this.stopped) return;
    let next: number | undefined;
    for (const timers of this.byInstance.values()) for (const t of timers) if (next === undefined || t.fireAt < next) next = t.fireAt;
    if (next === this.armedFor && this.handle !== undefined) return;
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
    this.armedFor = next;
    if (next === undefined) return;
    const delay = Math.min(Math.max(0, next - this.clock.now()), MAX_DELAY);
    this.handle = setTimeout(() => {
      this.handle = undefined;
      this.armedFor = undefined;
      this.checkNow();
    }, delay);
  }
}
