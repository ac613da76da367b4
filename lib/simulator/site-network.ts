import { createHash } from "node:crypto";

/** The network a device sits in: its default gateway's MAC and a fingerprint of the network. */
export interface SiteNetwork {
  gatewayMac: string;
  fingerprint: string;
}

/** A stable network per (realm, site), so devices of one site share a Delivery Optimization group. */
export function siteNetwork(tenantId: string, site: number): SiteNetwork {
  const digest = createHash("sha256").update(`${tenantId.toLowerCase()}|site-${site}`).digest();
  // Locally administered unicast MAC (second-lowest bit of the first octet set, lowest clear).
  const bytes = [((digest[0] ?? 0) & 0xfc) | 0x02, ...digest.subarray(1, 6)];
  const gatewayMac = bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
  const fingerprint = createHash("sha256").update(`${gatewayMac}|dns-suffix.site-${site}.example`).digest("hex");
  return { gatewayMac, fingerprint };
}
