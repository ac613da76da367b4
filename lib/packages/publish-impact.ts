import type { Clock } from "../core/clock.js";
import { contentBlobName } from "./blob-finalize.js";
import { recordFromUpload } from "./catalogue-publish-input.js";
import type { DeliveryImpact } from "./delivery-impact.js";
import type { ImpactFlags, ImpactService } from "./impact-service.js";
import type { PublishGuard } from "./publish-upload.js";

/** Thrown by a dry-run publish's guard once the impact is known: the pipeline discards the staged bytes, the route answers the impact. */
export class PublishDryRun extends Error {
  constructor(readonly impact: DeliveryImpact) {
    super("dry run: nothing was published");
    this.name = "PublishDryRun";
  }
}

/** The publish pipeline's guard for one realm: the impact of adding the package's record, refused (409) or reported per flags. */
export function publishImpactGuard(impact: ImpactService, realmId: string, flags: ImpactFlags, clock: Clock): PublishGuard {
  return async (metadata, staged) => {
    const record = recordFromUpload(realmId, { metadata, sha256: staged.sha256Hex, size: staged.size, blobName: contentBlobName(staged.sha256Hex) }, new Date(clock.now()).toISOString());
    const result = await impact.guard(realmId, { kind: "publish", record }, flags);
    if (flags.dryRun) throw new PublishDryRun(result);
  };
}
