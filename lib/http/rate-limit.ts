import type { AppServices } from "../app/services.js";
import type { Clock } from "../core/clock.js";
import { AppError } from "../core/errors.js";
import type { AuthContext } from "../auth/principals.js";

/** How a DeviceRateLimiter is sized and timed. */
export interface DeviceRateLimiterOptions {
  /** Requests a device may make per minute; also the burst a quiet device may spend at once. */
  perMinute: number;
  clock: Clock;
  /** Devices tracked at once; the least recently seen is forgotten (and starts again with a full bucket). */
  maxDevices?: number;
}

/** The outcome of one request against a device's budget. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

const DEFAULT_MAX_DEVICES = 10_000;

/** A token bucket per realm and device, in memory (per instance), with a bounded number of buckets. */
export class DeviceRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;
  private readonly perMs: number;
  private readonly maxDevices: number;

  constructor(private readonly options: DeviceRateLimiterOptions) {
    this.capacity = Math.max(1, options.perMinute);
    this.perMs = this.capacity / 60_000;
    this.maxDevices = Math.max(1, options.maxDevices ?? DEFAULT_MAX_DEVICES);
  }

  /** Spends one token of the device's budget; never throws. */
  take(realmId: string, deviceId: string): RateDecision {
    const key = `${realmId}\u0000${deviceId}`;
    const now = this.options.clock.now();
    const previous = this.buckets.get(key);
    const tokens = previous === undefined ? this.capacity : Math.min(this.capacity, previous.tokens + Math.max(0, now - previous.at) * this.perMs);
    // Re-inserting keeps the Map in least-recently-seen order, so the first key is the one to evict.
    this.buckets.delete(key);
    if (tokens >= 1) {
      this.buckets.set(key, { tokens: tokens - 1, at: now });
      this.evict();
      return { allowed: true };
    }
    this.buckets.set(key, { tokens, at: now });
    this.evict();
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000)) };
  }

  /** How many devices are tracked now (bounded by maxDevices). */
  get size(): number {
    return this.buckets.size;
  }

  private evict(): void {
    while (this.buckets.size > this.maxDevices) {
      const oldest = this.buckets.keys().next();
      if (oldest.done === true) return;
      this.buckets.delete(oldest.value);
    }
  }
}

// One limiter per composed services object, i.e. per host instance, built from its own settings and clock.
const limiters = new WeakMap<AppServices, DeviceRateLimiter>();

/** The instance's device rate limiter (created on first use from RJ_DEVICE_RATE_PER_MINUTE). */
export function deviceRateLimiterFor(services: AppServices): DeviceRateLimiter {
  let limiter = limiters.get(services);
  if (limiter === undefined) {
    limiter = new DeviceRateLimiter({ perMinute: services.settings.RJ_DEVICE_RATE_PER_MINUTE, clock: services.clock });
    limiters.set(services, limiter);
  }
  return limiter;
}

/**
 * Charges an authenticated device's request to its budget; requests without a device principal pass.
 * Throws AppError rate-limited (429 with Retry-After) when the budget is spent.
 */
export function enforceDeviceRate(services: AppServices, auth: AuthContext): void {
  if (auth.device === undefined) return;
  const decision = deviceRateLimiterFor(services).take(auth.realmId, auth.device.deviceId);
  if (!decision.allowed) {
    throw new AppError("rate-limited", "This device sends too many requests; slow down", { code: "device-rate-limited", retryAfterSeconds: decision.retryAfterSeconds });
  }
}
