import type { AppServices } from "../app/services.js";
import type { Clock } from "../core/clock.js";
import { AppError } from "../core/errors.js";

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
    return this.takeKey(`${realmId}\u0000${deviceId}`);
  }

  /** Spends one token of any caller's budget (a device, an address); never throws. */
  takeKey(key: string): RateDecision {
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

// One limiter of each kind per composed services object, i.e. per host instance, built from its own settings and clock.
const limiters = new WeakMap<AppServices, DeviceRateLimiter>();
const addressLimiters = new WeakMap<AppServices, DeviceRateLimiter>();

/** The instance's device rate limiter (created on first use from RJ_DEVICE_RATE_PER_MINUTE). */
export function deviceRateLimiterFor(services: AppServices): DeviceRateLimiter {
  let limiter = limiters.get(services);
  if (limiter === undefined) {
    limiter = new DeviceRateLimiter({ perMinute: services.settings.RJ_DEVICE_RATE_PER_MINUTE, clock: services.clock });
    limiters.set(services, limiter);
  }
  return limiter;
}

/** The instance's per-address limiter of anonymous routes (created on first use from RJ_ANONYMOUS_RATE_PER_MINUTE). */
export function addressRateLimiterFor(services: AppServices): DeviceRateLimiter {
  let limiter = addressLimiters.get(services);
  if (limiter === undefined) {
    limiter = new DeviceRateLimiter({ perMinute: services.settings.RJ_ANONYMOUS_RATE_PER_MINUTE, clock: services.clock });
    addressLimiters.set(services, limiter);
  }
  return limiter;
}

/**
 * Charges a proven device's request to its budget. Called by authentication after the assertion is verified
 * and before its jti is written, so a throttled request stores nothing.
 * Throws AppError rate-limited (429 with Retry-After) when the budget is spent.
 */
export function enforceDeviceRate(services: AppServices, realmId: string, deviceId: string): void {
  const decision = deviceRateLimiterFor(services).take(realmId, deviceId);
  if (!decision.allowed) {
    throw new AppError("rate-limited", "This device sends too many requests; slow down", { code: "device-rate-limited", retryAfterSeconds: decision.retryAfterSeconds });
  }
}

/**
 * The caller's address for per-address limits: the last (rightmost) X-Forwarded-For entry, which is the
 * one the platform's front end appended (App Service; the local host does the same) and the caller cannot
 * choose; entries to its left are the caller's own claims and are ignored. Port and IPv6 brackets are
 * dropped. "unknown" when there is no header (all such callers share one budget).
 */
export function callerAddress(headers: { get(name: string): string | null }): string {
  const forwarded = headers.get("x-forwarded-for");
  const last = forwarded?.split(",").at(-1)?.trim() ?? "";
  if (last === "") return "unknown";
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(last);
  if (bracketed?.[1] !== undefined) return bracketed[1].toLowerCase().slice(0, 64);
  // IPv4 with a port ("203.0.113.7:51234"); a bare IPv6 address has several colons and keeps them.
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(last);
  return (v4?.[1] ?? last).toLowerCase().slice(0, 64);
}

/** Charges an anonymous request to its caller's address. Throws AppError rate-limited (429 with Retry-After) when spent. */
export function enforceAddressRate(services: AppServices, headers: { get(name: string): string | null }): void {
  const decision = addressRateLimiterFor(services).takeKey(callerAddress(headers));
  if (!decision.allowed) {
    throw new AppError("rate-limited", "Too many requests from this address; slow down", { code: "address-rate-limited", retryAfterSeconds: decision.retryAfterSeconds });
  }
}
