import { z } from "zod";
import type { StateReport } from "./device.js";

const securityState = z.enum(["ok", "failed", "unknown"]);
const macAddress = z.string().regex(/^([0-9A-Fa-f]{2}[:-]?){5}[0-9A-Fa-f]{2}$/, "a MAC address like 00:11:22:33:44:55");

/**
 * The body of POST /state (API.md), allow-listed, sizes bounded. The objects are strict so that unknown fields are
 * found: the route reads tolerantly (a newer agent's fields are dropped and counted, never refused or stored).
 */
export const stateReportSchema = z
  .object({
    sequence: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    reportedAt: z.iso.datetime({ offset: true }),
    agentVersion: z.string().min(1).max(64).regex(/^[0-9A-Za-z.+-]+$/),
    channel: z.enum(["stable", "beta", "canary"]),
    installed: z
      .array(
        z
          .object({
            id: z.string().min(1).max(100),
            version: z.string().min(1).max(64),
            status: z.enum(["installed", "failed", "pending", "uninstalled"]),
          })
          .strict(),
      )
      .max(2000),
    security: z.object({ updates: securityState, encryption: securityState, firewall: securityState, antivirus: securityState }).strict(),
    tpm: z.object({ present: z.boolean(), ready: z.boolean() }).strict(),
    network: z.object({ gatewayMac: macAddress, fingerprint: z.string().min(1).max(256) }).strict(),
    isVirtualMachine: z.boolean().optional(),
    bootId: z.string().min(1).max(128).optional(),
  })
  .strict() satisfies z.ZodType<StateReport>;
