import { audienceOf } from "../agent-config/audience.js";
import { enrolledDevice } from "../agent-config/config-service.js";
import { effectivePolicyFor } from "../agent-config/effective-policy.js";
import { PACKAGE_CONTAINER } from "../app/compose-packages.js";
import { negotiatePeerDist, peerDistResponseHeaders } from "../content/pccrtp-negotiation.js";
import { AppError, notFound } from "../core/errors.js";
import { endpoint } from "../http/endpoint.js";
import { readSasUrl } from "../packages/blob-sas.js";
import type { HttpFunctionEntry } from "../registry/types.js";
import { realmBranchCacheSecret } from "./content-secret.js";

/** How long a download SAS lives: well inside the one hour API.md allows, long enough for a slow link. */
const SAS_LIFETIME_MS = 30 * 60 * 1000;

/**
 * GET /api/content/{packageId}/{version}: PeerDist content information ([MS-PCCRC] V1 or V2, negotiated
 * per [MS-PCCRTP]) when the agent asks for it and it exists; otherwise a 302 to a short-lived read-only
 * SAS URL (legacy packages: to their recorded URL).
 */
const content: HttpFunctionEntry = {
  name: "contentDownload",
  route: "content/{packageId}/{version}",
  methods: ["GET", "HEAD"],
  area: "content",
  handler: endpoint({
    auth: "device",
    async handle({ services, auth, params, request }) {
      const record = await services.packages.catalogue.getVersion(auth.realmId, params["packageId"] ?? "", params["version"] ?? "");
      // Content follows assignment: only what this device's own manifest delivers; anything else of the realm is 404.
      const device = await enrolledDevice(services.devices, auth);
      const userId = auth.user?.userId;
      const { policy } = await effectivePolicyFor(services, device, userId);
      const audience = await audienceOf(services.directory, device, userId);
      if (!(await services.packages.delivery.delivers(auth.realmId, audience, policy, record.id, record.version))) {
        // The same answer as for a version the realm does not have: a device learns nothing about others' packages.
        throw notFound(`No version ${params["version"] ?? ""} of package "${params["packageId"] ?? ""}" in this realm`);
      }
      const common = { vary: "Accept-Encoding", "cache-control": "no-store" };
      if (record.blobName === undefined || record.sha256 === undefined) {
        if (record.url === undefined) throw new AppError("not-found", "This package version has no downloadable content", { code: "no-content" });
        return { status: 302, headers: { ...common, location: record.url } };
      }
      const etag = `"${record.sha256}"`;
      const secret = record.contentInfo.v1 !== undefined && record.contentInfo.v2 !== undefined ? await realmBranchCacheSecret(services, auth.realmId) : undefined;
      const decision = negotiatePeerDist((name) => request.headers.get(name), { contentInfoReady: secret !== undefined, hasValidator: true });
      if (decision.kind === "peerdist" && secret !== undefined && record.contentInfo.v1 !== undefined && record.contentInfo.v2 !== undefined) {
        const info = await services.contentInfo.forRealm({ v1: record.contentInfo.v1, v2: record.contentInfo.v2 }, decision.contentInfoVersion, secret);
        const headers = peerDistResponseHeaders({
          version: decision.version,
          contentInfoLength: info.byteLength,
          packageSize: record.size,
          etag,
          lastModified: new Date(record.publishedAt),
          contentType: "application/octet-stream",
        });
        return { status: 200, headers: { ...headers, "cache-control": "no-store" }, body: new Uint8Array(info) };
      }
      const blob = services.containers.client(PACKAGE_CONTAINER).getBlobClient(record.blobName);
      const url = readSasUrl(blob, await services.sasKeys(), new Date(services.clock.now() + SAS_LIFETIME_MS), services.clock);
      return { status: 302, headers: { ...common, location: url, etag } };
    },
  }),
};

export const contentRoutes: HttpFunctionEntry[] = [content];
