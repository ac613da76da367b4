import { audienceOf } from "../agent-config/audience.js";
import { enrolledDevice } from "../agent-config/config-service.js";
import { effectivePolicyFor } from "../agent-config/effective-policy.js";
import { endpoint } from "../http/endpoint.js";
import { etagOf, ifNoneMatchHits } from "../http/etag.js";
import { json } from "../http/reply.js";
import { signedDocumentReply } from "../http/signed-reply.js";
import { hashDocument } from "../signing/index.js";
import type { HttpFunctionEntry } from "../registry/types.js";

const manifest: HttpFunctionEntry = {
  name: "agentPackages",
  route: "agent/v1/packages",
  methods: ["GET"],
  area: "agent",
  handler: endpoint({
    auth: "device",
    async handle({ services, auth, request }) {
      const device = await enrolledDevice(services.devices, auth);
      const userId = auth.user?.userId;
      const { policy } = await effectivePolicyFor(services, device, userId);
      const body = await services.packages.delivery.manifest(auth.realmId, await audienceOf(services.directory, device, userId), policy);
      const hash = hashDocument(body);
      const ifNoneMatch = request.headers.get("if-none-match");
      const notModified = ifNoneMatchHits(ifNoneMatch, etagOf(hash));
      services.telemetry.event("ManifestServed", {
        realmId: auth.realmId,
        deviceId: device.deviceId,
        notModified,
        packages: body.packages.length,
        undeliverable: body.undeliverable.length,
      });
      return await signedDocumentReply(ifNoneMatch, hash, async () => (await services.documents.signDocument({ realmId: auth.realmId, typ: "rj-manifest+jwt", body })).jws);
    },
  }),
};

const installLink: HttpFunctionEntry = {
  name: "agentInstallLink",
  route: "agent/v1/packages/{id}/install",
  methods: ["POST"],
  area: "agent",
  handler: endpoint({
    auth: "device+user",
    async handle({ services, auth, params }) {
      const device = await enrolledDevice(services.devices, auth);
      const userId = auth.user?.userId;
      const { policy } = await effectivePolicyFor(services, device, userId);
      const audience = await audienceOf(services.directory, device, userId);
      return json(await services.packages.delivery.installLink(auth.realmId, audience, params["id"] ?? "", policy));
    },
  }),
};

export const agentPackageRoutes: HttpFunctionEntry[] = [manifest, installLink];
