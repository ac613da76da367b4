/** How a realm decides that a device certificate belongs to the device that presents it. */
export type DeviceTrustMode = "graph" | "device-ca" | "pinned";

export type RealmStatus = "active" | "disabled" | "deleted";

/** One customer tenant. `id` is the Entra tenant id (`tid`), lowercase. */
export interface Realm {
  id: string;
  name: string;
  /** Short handle used by the dev commands ("contoso"); optional for real tenants. */
  slug?: string;
  status: RealmStatus;
  deviceTrust: DeviceTrustMode;
  /** PEM bundle of trusted device CAs, used when deviceTrust is "device-ca". */
  deviceCaPem?: string;
  /** True when the realm has no Graph consent: directory data comes from the local directory. */
  noGraph: boolean;
  createdAt: string;
  /** Set when status became "deleted"; reconciliation purges after the retention period. */
  deletedAt?: string;
  /**
   * Generation tokens of what agents are served, bumped (a fresh random value) after every write that can change it:
   * policies (configuration) and packages/assignments (manifests). Instances key their caches on them, so reading the
   * realm row (cached for at most RJ_REALM_CACHE_SECONDS) is all a poll needs to know whether its caches still hold.
   */
  generations?: RealmGenerations;
}

/** See Realm.generations; "" means never bumped. */
export interface RealmGenerations {
  policies: string;
  delivery: string;
}

/** Which of a realm's generation tokens a write changes. */
export type RealmGenerationKind = keyof RealmGenerations;

/** Read access to realms, as needed by authentication. */
export interface RealmLookup {
  /** Returns the realm with this tenant id (any status), or undefined when none is registered. */
  get(tenantId: string): Promise<Realm | undefined>;
}
