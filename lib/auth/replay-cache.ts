import { systemClock, type Clock } from "../core/clock.js";

/** Remembers assertion ids (`jti`) until they expire, so each is accepted once. */
export interface ReplayCache {
  /** Records the jti; returns "replay" when it was already recorded for this realm (until purged), "new" otherwise. */
  remember(realmId: string, jti: string, expiresAtMs: number): Promise<"new" | "replay">;
  /** Removes up to `budget` entries whose expiry is before `nowMs`; returns how many were removed. */
  purgeExpired(nowMs: number, budget: number): Promise<number>;
}

/** A replay cache for one process: unit tests and the single-process local host. */
export class MemoryReplayCache implements ReplayCache {
  private readonly entries = new Map<string, number>();
  private writesSincePurge = 0;

  constructor(private readonly clock: Clock = systemClock) {}

  async remember(realmId: string, jti: string, expiresAtMs: number): Promise<"new" | "replay"> {
    const key = `${realmId}|${jti}`;
    if (this.entries.has(key)) return "replay";
    this.entries.set(key, expiresAtMs);
    // Bounded memory without a timer: every so often drop what has expired.
    if (++this.writesSincePurge >= 1000) {
      this.writesSincePurge = 0;
      await this.purgeExpired(this.clock.now(), Number.POSITIVE_INFINITY);
    }
    return "new";
  }

  async purgeExpired(nowMs: number, budget: number): Promise<number> {
    let removed = 0;
    for (const [key, expiresAt] of this.entries) {
      if (removed >= budget) break;
      if (expiresAt < nowMs) {
        this.entries.delete(key);
        removed++;
      }
    }
    return removed;
  }
}
