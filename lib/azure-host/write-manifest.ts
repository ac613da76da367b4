import { writeFileSync } from "node:fs";
import { registry } from "../registry/index.js";
import { manifestOf, MANIFEST_URL } from "./function-manifest.js";

// Run by npm run build after tsc: the entry points register from this file instead of importing the registry.
writeFileSync(MANIFEST_URL, JSON.stringify(manifestOf(registry), null, 1) + "\n");
