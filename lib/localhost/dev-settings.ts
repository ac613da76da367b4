import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** What the running local host's dev identity provider signs with; the dev commands read it from the data folder. */
export interface DevIssuerInfo {
  issuerBase: string;
  v1IssuerBase: string;
  audience: string;
  url: string;
}

const FILE = ["dev-idp", "issuer.json"] as const;

/** The issuer base a local host on `port` serves its dev identity provider under. */
export function devIssuerBase(port: number): string {
  return `http://127.0.0.1:${port}/api/dev/idp`;
}

export function writeDevIssuerInfo(dataDir: string, info: DevIssuerInfo): void {
  mkdirSync(join(dataDir, FILE[0]), { recursive: true });
  writeFileSync(join(dataDir, ...FILE), JSON.stringify(info, null, 2) + "\n");
}

/** The issuer info the local host wrote into `dataDir`, or the defaults of a host on port 7071. */
export function readDevIssuerInfo(dataDir: string): DevIssuerInfo {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, ...FILE), "utf8")) as Partial<DevIssuerInfo>;
    if (typeof parsed.issuerBase === "string" && typeof parsed.v1IssuerBase === "string" && typeof parsed.audience === "string" && typeof parsed.url === "string") {
      return parsed as DevIssuerInfo;
    }
  } catch {
    // No host has run on this data folder yet: fall through to the defaults.
  }
  const issuerBase = devIssuerBase(7071);
  return { issuerBase, v1IssuerBase: `${issuerBase}/sts`, audience: "api://realmjoin-backend", url: "http://localhost:7071" };
}
