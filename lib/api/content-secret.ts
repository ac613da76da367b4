import type { AppServices } from "../app/services.js";
import { deriveBranchCacheSecret, type BranchCacheSecret } from "../content/branchcache-secret.js";

/** The realm's BranchCache server secret, or undefined while the realm has no passphrase (then no PeerDist). */
export async function realmBranchCacheSecret(services: AppServices, realmId: string): Promise<BranchCacheSecret | undefined> {
  const passphrase = await services.branchCache.get(realmId);
  return passphrase === undefined ? undefined : deriveBranchCacheSecret(passphrase);
}
