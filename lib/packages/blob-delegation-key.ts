import type { StorageSharedKeyCredential, UserDelegationKey } from "@azure/storage-blob";
import { systemClock, type Clock } from "../core/clock.js";
import { MAX_READ_SAS_MS, type SasSigningKeys } from "./blob-sas.js";

/** The one BlobServiceClient call the cache needs (the service must be signed in with Entra ID). */
export interface DelegationKeyIssuer {
  getUserDelegationKey(startsOn: Date, expiresOn: Date): Promise<UserDelegationKey>;
}

const SKEW_MS = 5 * 60 * 1000;
const DEFAULT_LIFETIME_MS = 6 * 60 * 60 * 1000;

/**
 * One user-delegation key shared by every SAS, renewed when it would expire within the longest SAS lifetime
 * (so a SAS never outlives its key). Concurrent callers share one request; a failed request is not cached.
 */
export class UserDelegationKeyCache {
  private current: UserDelegationKey | undefined;
  private pending: Promise<UserDelegationKey> | undefined;

  constructor(
    private readonly issuer: DelegationKeyIssuer,
    private readonly clock: Clock = systemClock,
    private readonly lifetimeMs: number = DEFAULT_LIFETIME_MS,
  ) {}

  /** A key valid for at least the next hour; rejects with the storage error when one cannot be issued. */
  async key(): Promise<UserDelegationKey> {
    const now = this.clock.now();
    if (this.current !== undefined && this.current.signedExpiresOn.getTime() - now > MAX_READ_SAS_MS + SKEW_MS) return this.current;
    this.pending ??= this.issuer
      .getUserDelegationKey(new Date(now - SKEW_MS), new Date(now + this.lifetimeMs))
      .then((key) => {
        this.current = key;
        return key;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return await this.pending;
  }
}

/** The SAS keys for a deployment: the account key when there is one (Azurite), else a cached delegation key. */
export async function sasSigningKeys(sharedKey: StorageSharedKeyCredential | undefined, cache: UserDelegationKeyCache | undefined): Promise<SasSigningKeys> {
  if (sharedKey !== undefined) return { sharedKey };
  if (cache !== undefined) return { userDelegationKey: await cache.key() };
  return {};
}
