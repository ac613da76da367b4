import type { AppServices } from "../app/services.js";
import type { BranchCacheSecret } from "../content/branchcache-secret.js";

/** The realm's BranchCache server secret, or undefined while the realm has no passphrase (then no PeerDist). */
export async function realmBranchCacheSecret(_services: AppServices, _realmId: string): Promise<BranchCacheSecret | undefined> {
  return undefined;
}
