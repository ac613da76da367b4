import { createHash } from "node:crypto";
import { AgentHttpError, describeProblem, type AgentHttp } from "./agent-http.js";
import type { ManifestEntry } from "./api-types.js";

/** What the agent got for a package. */
export interface DownloadResult {
  sha256: string;
  size: number;
  /** Whether the content endpoint redirected to a SAS URL (as API.md says it does without PeerDist). */
  redirected: boolean;
}

/** Raised when the downloaded bytes are not the ones the signed manifest names. */
export class PackageIntegrityError extends Error {
  override readonly name = "PackageIntegrityError";
}

type ContentAnswer = { kind: "redirect"; location: string } | { kind: "body"; sha256: string; size: number } | { kind: "error"; status: number; problem: string };

/**
 * Downloads a manifest entry through its `downloadUrl` (device identity), following the 302 to the SAS URL without
 * the device's headers, and checks size and SHA-256. Returns the digest; throws PackageIntegrityError on a mismatch,
 * AgentHttpError on an error answer, AgentNetworkError when the transfer keeps failing.
 */
export async function downloadPackage(
  http: AgentHttp,
  entry: ManifestEntry,
  deviceHeaders: (request: { method: string; url: string }) => Promise<Record<string, string>>,
  timeoutMs: number,
): Promise<DownloadResult> {
  const contentUrl = http.resolve(entry.downloadUrl);
  const first = await http.send<ContentAnswer>(
    { label: "GET /content", method: "GET", url: contentUrl, headers: deviceHeaders, redirect: "manual", timeoutMs },
    async (res) => {
      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && location !== null) {
        await res.body?.cancel().catch(() => undefined);
        return { kind: "redirect", location };
      }
      if (res.status === 200) return { kind: "body", ...(await hashBody(res)) };
      return { kind: "error", status: res.status, problem: describeProblem(await res.text()) };
    },
  );
  let got: { sha256: string; size: number };
  const answer = first.value;
  if (answer.kind === "error") throw new AgentHttpError("GET /content", answer.status, answer.problem);
  if (answer.kind === "redirect") {
    const sasUrl = new URL(answer.location, contentUrl).toString();
    const second = await http.send({ label: "GET sas", method: "GET", url: sasUrl, timeoutMs }, async (res) =>
      res.status === 200 ? hashBody(res) : { status: res.status, problem: describeProblem(await res.text()) },
    );
    if ("status" in second.value) throw new AgentHttpError("GET sas", second.value.status, second.value.problem);
    got = second.value;
  } else {
    got = answer;
  }
  const expected = normaliseSha256(entry.sha256);
  if (got.size !== entry.size) throw new PackageIntegrityError(`${entry.id} ${entry.version}: size ${got.size}, manifest says ${entry.size}`);
  if (got.sha256 !== expected) throw new PackageIntegrityError(`${entry.id} ${entry.version}: sha256 ${got.sha256}, manifest says ${expected}`);
  return { ...got, redirected: answer.kind === "redirect" };
}

/** Hashes a body as it streams, never holding it whole. */
async function hashBody(res: Response): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  if (res.body !== null) {
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      hash.update(value);
      size += value.byteLength;
    }
  }
  return { sha256: hash.digest("hex"), size };
}

/** Lowercase hex of a SHA-256 given as hex or base64 (the agent tolerates either spelling). */
export function normaliseSha256(value: string): string {
  if (/^[0-9a-f]{64}$/i.test(value)) return value.toLowerCase();
  const bytes = Buffer.from(value, "base64");
  return bytes.length === 32 ? bytes.toString("hex") : value.toLowerCase();
}
