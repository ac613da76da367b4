import { jwtVerify, type JWTPayload } from "jose";
import { unauthorized } from "../core/errors.js";
import type { Clock } from "../core/clock.js";
import type { Realm, RealmLookup } from "../realms/realm.js";
import { ALLOWED_ALGORITHMS, MAX_CLOCK_SKEW_SECONDS, decodeUnverified } from "./access-token-validator.js";
import { silentAuthLogger, type AuthLogger } from "./auth-logger.js";
import { CertificateCache, derToPem, isCurrentlyValid, subjectCommonName, type DeviceCertificate } from "./device-certificate.js";
import type { DeviceCertificateTrust, DevicePinStore, KnownDevices } from "./device-trust.js";
import { isGuid } from "./guid.js";
import { toAuthFailure } from "./jose-failure.js";
import type { DevicePrincipal } from "./principals.js";
import { assertRealmEnabled, findLiveRealm } from "./realm-gate.js";
import type { ReplayCache } from "./replay-cache.js";
import { checkRequestBinding, type BoundRequest } from "./request-binding.js";

/** Header carrying the device assertion. */
export const DEVICE_ASSERTION_HEADER = "X-RJ-Device-Assertion";
/** The `typ` header of a device assertion. */
export const DEVICE_ASSERTION_TYP = "rj-device+jwt";
/** Longest allowed span between `iat` and `exp`, in seconds. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 600;
const MAX_JTI_LENGTH = 256;

export interface DeviceAssertionSettings {
  /** Accepted `aud` values. */
  audiences: string[];
  /** Tolerated clock skew in seconds; default and maximum 300. */
  clockSkewSeconds?: number;
  /** RJ_PUBLIC_BASE_URL: behind a front end, `htu` may name this base followed by the request's path. */
  publicBaseUrl?: string;
}

export interface DeviceAssertionValidatorDeps {
  settings: DeviceAssertionSettings;
  realms: RealmLookup;
  clock: Clock;
  replayCache: ReplayCache;
  pins: DevicePinStore;
  /** Pinned trust pins only device ids these know (the realm's directory or an admin's pre-registration). */
  knownDevices: KnownDevices;
  /** Needed by realms whose deviceTrust is "graph"; without it such devices are refused. */
  graphTrust?: DeviceCertificateTrust;
  logger?: AuthLogger;
}

export interface DeviceValidateOptions {
  /** Pin the certificate when the device has none yet: only at enrolment with a valid user token of the same realm. */
  allowPinOnFirstUse: boolean;
  /** The request the assertion came with; `htm`/`htu` claims are checked against it. */
  request?: BoundRequest;
  /**
   * Called once the assertion is proven (signature, claims, trust) and before anything is written (the jti, a pin);
   * throwing refuses the request with nothing stored. The per-device rate limit lives here.
   */
  beforeWrites?: (device: { realmId: string; deviceId: string }) => void;
}

/** Validates `X-RJ-Device-Assertion` JWSs (x5c-signed, trusted per the realm's deviceTrust, single use). */
export class DeviceAssertionValidator {
  private readonly skew: number;
  private readonly logger: AuthLogger;
  // Devices present the same certificate on every request; realms the same CA bundle.
  private readonly certificates = new CertificateCache();

  constructor(private readonly deps: DeviceAssertionValidatorDeps) {
    if (deps.settings.audiences.length === 0) throw new Error("DeviceAssertionValidator needs at least one audience");
    this.skew = Math.min(deps.settings.clockSkewSeconds ?? MAX_CLOCK_SKEW_SECONDS, MAX_CLOCK_SKEW_SECONDS);
    this.logger = deps.logger ?? silentAuthLogger;
  }

  /** Returns the device of a valid assertion; throws AppError unauthorized (any defect, untrusted, replay), forbidden "realm-disabled", or what the trust sources throw. */
  async validate(assertion: string, options: DeviceValidateOptions = { allowPinOnFirstUse: false }): Promise<DevicePrincipal> {
    const { header, claims } = decodeUnverified(assertion);
    if (typeof header.typ !== "string" || header.typ.toLowerCase() !== DEVICE_ASSERTION_TYP) throw unauthorized("Not a device assertion");
    if (header.alg === undefined || !(ALLOWED_ALGORITHMS as readonly string[]).includes(header.alg)) throw unauthorized("Assertion algorithm not allowed");
    if (!isGuid(claims.tid) || !isGuid(claims.sub)) throw unauthorized("Assertion has no valid tenant or device");
    const realm = await findLiveRealm(this.deps.realms, claims.tid);
    const cert = this.certificates.leaf(header.x5c);
    if (cert === undefined) throw unauthorized("Assertion has no valid certificate");

    const nowMs = this.deps.clock.now();
    let verified: JWTPayload;
    try {
      ({ payload: verified } = await jwtVerify(assertion, cert.x509.publicKey, {
        algorithms: [...ALLOWED_ALGORITHMS],
        typ: DEVICE_ASSERTION_TYP,
        audience: this.deps.settings.audiences,
        currentDate: new Date(nowMs),
        clockTolerance: this.skew,
        requiredClaims: ["sub", "tid", "aud", "iat", "exp", "jti"],
      }));
    } catch (e) {
      throw toAuthFailure(e, "Assertion");
    }
    const { iat, exp, jti } = verified;
    if (typeof iat !== "number" || typeof exp !== "number") throw unauthorized("Assertion times are invalid");
    if (exp - iat > MAX_ASSERTION_LIFETIME_SECONDS || exp <= iat) throw unauthorized("Assertion lifetime is too long");
    if (iat * 1000 > nowMs + this.skew * 1000) throw unauthorized("Assertion is issued in the future");
    if (typeof jti !== "string" || jti === "" || jti.length > MAX_JTI_LENGTH) throw unauthorized("Assertion id is invalid");
    checkRequestBinding(verified, options.request, this.deps.settings.publicBaseUrl);

    if (!isCurrentlyValid(cert.x509, nowMs)) throw unauthorized("Device certificate is not currently valid");
    const deviceId = claims.sub.toLowerCase();
    if (subjectCommonName(cert.x509)?.toLowerCase() !== deviceId) throw unauthorized("Device certificate does not name the device");
    assertRealmEnabled(realm);

    const pinNow = await this.checkTrust(realm, deviceId, cert, nowMs, options.allowPinOnFirstUse);
    options.beforeWrites?.({ realmId: realm.id, deviceId });
    if ((await this.deps.replayCache.remember(realm.id, jti, exp * 1000 + this.skew * 1000)) === "replay") {
      throw unauthorized("Assertion was already used");
    }
    if (pinNow) await this.pin(realm.id, deviceId, cert.thumbprint);

    return { kind: "device", realmId: realm.id, deviceId, thumbprint: cert.thumbprint, certificatePem: derToPem(cert.der) };
  }

  /** Throws unless trusted; returns true when the certificate is to be pinned once the jti is accepted. */
  private async checkTrust(realm: Realm, deviceId: string, cert: DeviceCertificate, nowMs: number, allowPin: boolean): Promise<boolean> {
    switch (realm.deviceTrust) {
      case "device-ca": {
        if (!this.certificates.isIssuedByAny(cert.x509, this.certificates.bundle(realm.deviceCaPem ?? ""), nowMs)) throw untrusted();
        return false;
      }
      case "graph": {
        if (this.deps.graphTrust === undefined) {
          this.logger.warn("graph device trust is not configured", { realmId: realm.id, deviceId });
          throw untrusted();
        }
        if (!(await this.deps.graphTrust.isTrusted(realm.id, deviceId, cert.der))) throw untrusted();
        return false;
      }
      case "pinned": {
        const pinned = await this.deps.pins.getPin(realm.id, deviceId);
        if (pinned === undefined) {
          if (!allowPin) throw unauthorized("Device is not enrolled");
          // Trust on first use only for ids the realm vouches for: else anyone could pre-enrol a colleague's future device.
          if (!(await this.deps.knownDevices.isKnown(realm.id, deviceId))) {
            throw unauthorized("Device is not registered in the realm's directory; an admin can pre-register it", "device-not-registered");
          }
          return true;
        }
        if (pinned !== cert.thumbprint) {
          this.refusePinMismatch(realm.id, deviceId, cert.thumbprint, pinned);
        }
        return false;
      }
    }
  }

  private async pin(realmId: string, deviceId: string, thumbprint: string): Promise<void> {
    if ((await this.deps.pins.pinIfAbsent(realmId, deviceId, thumbprint)) === "pinned") return;
    // Lost a race with a concurrent enrolment: only the winner's certificate is the device's.
    const pinned = await this.deps.pins.getPin(realmId, deviceId);
    if (pinned !== thumbprint) this.refusePinMismatch(realmId, deviceId, thumbprint, pinned ?? "");
  }

  private refusePinMismatch(realmId: string, deviceId: string, presented: string, pinned: string): never {
    this.logger.warn("device presented a certificate other than its pinned one", {
      realmId,
      deviceId,
      presentedThumbprint: presented,
      pinnedThumbprint: pinned,
    });
    throw untrusted();
  }
}

const untrusted = () => unauthorized("Device certificate is not trusted for this device");
