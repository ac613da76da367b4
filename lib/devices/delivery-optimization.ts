import { v5 as uuidv5 } from "uuid";

/** Fixed namespace for RealmJoin Delivery Optimization group ids (a random UUID chosen once; never change it). */
export const DO_GROUP_NAMESPACE = "6c1f0d9e-7b5a-4c43-9a54-2f7e0c8b3d11";

/** "00-11-22-AA-bb-cc" -> "001122aabbcc". */
export function normaliseMac(mac: string): string {
  return mac.replace(/[^0-9a-fA-F]/g, "").toLowerCase();
}

/**
 * The DOGroupId of a device: UUIDv5(namespace, "<realm>\n<gateway MAC>\n<network fingerprint>") with
 * the realm id lowercased, the MAC reduced to 12 lowercase hex digits and the fingerprint trimmed and
 * lowercased. Devices of one realm behind the same gateway on the same network share it; the realm
 * in the name keeps two realms apart even behind identical gateways.
 */
export function deliveryOptimizationGroupId(realmId: string, gatewayMac: string, fingerprint: string): string {
  const name = [realmId.toLowerCase(), normaliseMac(gatewayMac), fingerprint.trim().toLowerCase()].join("\n");
  return uuidv5(name, DO_GROUP_NAMESPACE);
}
