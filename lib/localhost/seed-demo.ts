import type { AppServices } from "../app/services.js";
import { DEMO_REALMS, FABRIKAM_TENANT_ID } from "../directory/demo-directory.js";
import { seedLocalDirectory } from "../directory/seed-local-directory.js";
import { seedDemoPackages } from "./demo-packages.js";
import type { PolicyDocument } from "../policies/policy.js";
import type { Realm } from "../realms/realm.js";

/** Contoso enables BitLocker and Delivery Optimization and enforces encryption and antivirus; Fabrikam keeps the defaults but makes users admins. */
const DEMO_POLICIES: Record<string, PolicyDocument> = {
  "11111111-1111-4111-8111-111111111111": {
    bitlockerEnabled: true,
    deliveryOptimization: { enabled: true },
    securityRequirements: { updates: "audit", encryption: "enforce", firewall: "enforce", antivirus: "enforce" },
    releaseChannel: "stable",
  },
  [FABRIKAM_TENANT_ID]: { makeAdmin: true, releaseChannel: "beta" },
};

/**
 * Seeds the demo realms once: realm records (trusting the dev device CA), the local directory's users
 * and groups, a realm policy, and three sample packages with their assignments. Anything that exists already (possibly changed since) is left alone.
 */
export async function seedDemo(services: AppServices, options: { packages: boolean } = { packages: true }): Promise<void> {
  const createdAt = new Date(services.clock.now()).toISOString();
  const caPem = services.dev?.ca.caPem();
  for (const demo of DEMO_REALMS) {
    if ((await services.realms.get(demo.tenantId)) !== undefined) continue;
    const realm: Realm = {
      id: demo.tenantId,
      name: demo.name,
      slug: demo.slug,
      status: "active",
      // Fabrikam has no Graph consent: its directory is the local one, as for a NoGraph customer.
      noGraph: demo.tenantId === FABRIKAM_TENANT_ID,
      createdAt,
      ...(caPem === undefined ? { deviceTrust: "pinned" as const } : { deviceTrust: "device-ca" as const, deviceCaPem: caPem }),
    };
    const policy = DEMO_POLICIES[demo.tenantId];
    if (policy !== undefined && (await services.policies.get(demo.tenantId, { kind: "realm" })) === undefined) {
      await services.policies.put(demo.tenantId, { kind: "realm" }, policy, createdAt);
    }
    await seedLocalDirectory(services.localDirectory, [demo]);
    await services.branchCache.ensure(demo.tenantId);
    if (options.packages) await seedDemoPackages(services, demo.tenantId);
    // The realm record goes last: a seed interrupted before it runs again in full at the next start.
    await services.realms.put(realm);
  }
}
