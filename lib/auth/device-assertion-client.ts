import { randomUUID } from "node:crypto";
import { importPKCS8, SignJWT } from "jose";
import { DEVICE_ASSERTION_TYP } from "./device-assertion-validator.js";

/** What a device needs to sign an `X-RJ-Device-Assertion`. */
export interface DeviceAssertionInput {
  /** PKCS#8 PEM private key of the device certificate. */
  keyPem: string;
  certPem: string;
  tenantId: string;
  deviceId: string;
  audience: string;
  /** Seconds from iat to exp; default 300 (the server refuses more than 600). */
  lifetimeSeconds?: number;
  /** Default a random UUID: each assertion is single use. */
  jti?: string;
  alg: "ES256" | "PS256" | "RS256";
  /** Issue time in ms; default now. */
  nowMs?: number;
  /** Binds the assertion to one request (RFC 9449 `htm`/`htu`): its method and URL (query and fragment are dropped). */
  request?: { method: string; url: string };
}

/** The agent's side: returns a compact JWS with typ rj-device+jwt and x5c [leaf]; throws when the key does not fit alg. */
export async function createDeviceAssertion(input: DeviceAssertionInput): Promise<string> {
  const key = await importPKCS8(input.keyPem, input.alg);
  const iat = Math.floor((input.nowMs ?? Date.now()) / 1000);
  const binding = input.request === undefined ? {} : { htm: input.request.method.toUpperCase(), htu: withoutQuery(input.request.url) };
  return new SignJWT({ tid: input.tenantId.toLowerCase(), ...binding })
    .setProtectedHeader({ alg: input.alg, typ: DEVICE_ASSERTION_TYP, x5c: [certificateBase64(input.certPem)] })
    .setSubject(input.deviceId.toLowerCase())
    .setAudience(input.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (input.lifetimeSeconds ?? 300))
    .setJti(input.jti ?? randomUUID())
    .sign(key);
}

/** Standard base64 of the first certificate's DER in a PEM (the x5c form of RFC 7515). */
export function certificateBase64(certPem: string): string {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(certPem);
  if (m?.[1] === undefined) throw new TypeError("certPem holds no certificate");
  return m[1].replace(/\s+/g, "");
}

/** The URL without its query and fragment, as `htu` carries it. */
function withoutQuery(url: string): string {
  const u = new URL(url);
  u.search = "";
  u.hash = "";
  return u.toString();
}
