import { AccessTokenValidator } from "../auth/access-token-validator.js";
import { Authenticator } from "../auth/authenticator.js";
import { DeviceAssertionValidator } from "../auth/device-assertion-validator.js";
import type { DeviceCertificateTrust, DevicePinStore, KnownDevices } from "../auth/device-trust.js";
import { JwksRegistry } from "../auth/jwks-registry.js";
import { TableDevicePinStore } from "../auth/table-device-pin-store.js";
import { TableReplayCache } from "../auth/table-replay-cache.js";
import type { Clock } from "../core/clock.js";
import type { Settings } from "../config/settings.js";
import type { RealmLookup } from "../realms/realm.js";
import type { TableStore } from "../storage/table-store.js";
import type { Logger } from "../telemetry/logger.js";

export interface IdentityParts {
  authenticator: Authenticator;
  replayCache: TableReplayCache;
  /** Pinned-trust realms' certificate pins (admins clear them for re-imaged devices). */
  devicePins: DevicePinStore;
  audiences: string[];
}

/** Parses RJ_AUDIENCES ("api://x,<client id>") into the list of accepted `aud` values. */
export function audiencesOf(settings: Settings): string[] {
  return settings.RJ_AUDIENCES.split(",").map((a) => a.trim()).filter((a) => a.length > 0);
}

/** Builds authentication: one JWKS registry for the process, Table-backed replay cache and device pins. */
export async function composeIdentity(
  settings: Settings,
  deps: { tables: TableStore; realms: RealmLookup; clock: Clock; log: Logger; knownDevices: KnownDevices; graphTrust?: DeviceCertificateTrust },
): Promise<IdentityParts> {
  const audiences = audiencesOf(settings);
  const replayCache = new TableReplayCache(await deps.tables.table("ReplayCache"));
  const pins = new TableDevicePinStore(await deps.tables.table("DevicePins"), deps.clock);
  const users = new AccessTokenValidator({
    settings: {
      authority: settings.RJ_ENTRA_AUTHORITY,
      v1IssuerBase: settings.RJ_ENTRA_V1_ISSUER_BASE,
      audiences,
      ...(settings.RJ_OPERATOR_TENANT_ID ? { operatorTenantId: settings.RJ_OPERATOR_TENANT_ID } : {}),
    },
    realms: deps.realms,
    clock: deps.clock,
    jwks: new JwksRegistry(),
  });
  const devices = new DeviceAssertionValidator({
    settings: { audiences, ...(settings.RJ_PUBLIC_BASE_URL === undefined ? {} : { publicBaseUrl: settings.RJ_PUBLIC_BASE_URL }) },
    realms: deps.realms,
    clock: deps.clock,
    replayCache,
    pins,
    knownDevices: deps.knownDevices,
    ...(deps.graphTrust ? { graphTrust: deps.graphTrust } : {}),
    logger: { warn: (message, properties) => deps.log.log("warn", "auth.refused", { message, ...properties }) },
  });
  return { authenticator: new Authenticator(users, devices), replayCache, devicePins: pins, audiences };
}
