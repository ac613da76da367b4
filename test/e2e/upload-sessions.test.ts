import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { BlockBlobClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_CONTAINER } from "../../lib/app/compose-packages.js";
import { publishFile, type SessionView } from "../../lib/cli/session-publisher.js";
import { CONTOSO_TENANT_ID } from "../../lib/directory/demo-directory.js";
import type { RunningLocalHost } from "../../lib/localhost/local-host.js";
import { asUser, userToken } from "../support/host-identities.js";
import { buildNupkg, streamedNupkg } from "../support/nupkg-builder.js";
import { startTestHost } from "../support/test-host.js";

const MIB = 1024 * 1024;
let host: RunningLocalHost;
let admin: string;
let dir: string;

beforeAll(async () => {
  host = await startTestHost();
  admin = await userToken(host, CONTOSO_TENANT_ID, { admin: true });
  dir = mkdtempSync(join(tmpdir(), "rj-uploads-"));
});
afterAll(async () => {
  await host.stop();
  rmSync(dir, { recursive: true, force: true });
});

const target = () => ({ baseUrl: host.url, token: admin });

async function blobNames(prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const b of host.services.blobs.getContainerClient(PACKAGE_CONTAINER).listBlobsFlat({ prefix, includeUncommitedBlobs: true })) names.push(b.name);
  return names;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function createSession(): Promise<{ uploadId: string; uploadUrl: string; expiresAt: string }> {
  const res = await asUser(host, admin, "/api/admin/v1/uploads", { method: "POST" });
  expect(res.status).toBe(201);
  return (await res.json()) as never;
}

async function waitFor(uploadId: string): Promise<SessionView> {
  for (let i = 0; i < 600; i++) {
    const view = (await (await asUser(host, admin, `/api/admin/v1/uploads/${uploadId}`)).json()) as SessionView;
    if (view.status !== "processing" && view.status !== "pending") return view;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the upload never finished processing");
}

describe("upload sessions", () => {
  it("when a client writes blocks through the session's SAS and publishes, then the package is published in the background with its hash", async () => {
    const bytes = buildNupkg({ id: "Contoso.Session", version: "1.0.0" });
    const session = await createSession();
    // The SAS is for this one blob, write-only: reading it back is refused by storage.
    const blob = new BlockBlobClient(session.uploadUrl);
    await blob.stageBlock(Buffer.from("0001").toString("base64"), bytes, bytes.byteLength);
    await expect(blob.download()).rejects.toMatchObject({ statusCode: 403 });
    const sibling = new BlockBlobClient(session.uploadUrl.replace(session.uploadId, "00000000-0000-4000-8000-000000000000"));
    await expect(sibling.upload("x", 1)).rejects.toMatchObject({ statusCode: 403 });
    // Publishing before the block list is committed is refused and changes nothing.
    const early = await asUser(host, admin, `/api/admin/v1/uploads/${session.uploadId}/publish`, { method: "POST" });
    expect(early.status).toBe(409);
    expect(((await early.json()) as { type: string }).type).toMatch(/upload-not-committed$/);
    await blob.commitBlockList([Buffer.from("0001").toString("base64")]);

    const published = await asUser(host, admin, `/api/admin/v1/uploads/${session.uploadId}/publish`, { method: "POST" });
    expect(published.status).toBe(202);
    const done = await waitFor(session.uploadId);
    expect(done).toMatchObject({ status: "published", package: { packageId: "Contoso.Session", version: "1.0.0", size: bytes.byteLength, created: true, sha256: createHash("sha256").update(bytes).digest("hex") } });
    // A second publish call changes nothing.
    expect((await asUser(host, admin, `/api/admin/v1/uploads/${session.uploadId}/publish`, { method: "POST" })).status).toBe(200);
    expect(await blobNames("uploads/")).toEqual([]);
    expect(await blobNames("staging/")).toEqual([]);
  });

  it("when the staged package is unsafe, then the session is refused with the same problem as PUT and no blob is left", async () => {
    const session = await createSession();
    await new BlockBlobClient(session.uploadUrl).upload("not a zip at all", 16);
    expect((await asUser(host, admin, `/api/admin/v1/uploads/${session.uploadId}/publish`, { method: "POST" })).status).toBe(202);
    const done = await waitFor(session.uploadId);
    expect(done.status).toBe("refused");
    expect(done.problem).toMatchObject({ status: 400 });
    expect(await blobNames("uploads/")).toEqual([]);
    expect(await blobNames("staging/")).toEqual([]);
  });

  it("when an upload id is unknown or malformed, then 404; a bad query flag 400", async () => {
    expect((await asUser(host, admin, "/api/admin/v1/uploads/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await asUser(host, admin, "/api/admin/v1/uploads/..%2F..%2Fx")).status).toBe(404);
    const session = await createSession();
    expect((await asUser(host, admin, `/api/admin/v1/uploads/${session.uploadId}/publish?force=maybe`, { method: "POST" })).status).toBe(400);
    const other = await userToken(host, CONTOSO_TENANT_ID);
    expect((await asUser(host, other, `/api/admin/v1/uploads/${session.uploadId}`)).status).toBe(403);
  });

  it("when a session is never published, then reconciliation removes its blob after the SAS ended and marks it refused", async () => {
    const session = await createSession();
    await new BlockBlobClient(session.uploadUrl).stageBlock(Buffer.from("0001").toString("base64"), Buffer.from("abc"), 3);
    expect(await blobNames(`uploads/${session.uploadId}`)).toHaveLength(1);
    expect(await host.services.uploads.expireAbandoned(new Date(), 60 * 60 * 1000, 100)).toBe(0);
    const later = new Date(Date.parse(session.expiresAt) + 2 * 60 * 60 * 1000);
    expect(await host.services.uploads.expireAbandoned(later, 60 * 60 * 1000, 100)).toBeGreaterThanOrEqual(1);
    expect(await blobNames(`uploads/${session.uploadId}`)).toEqual([]);
    const view = (await (await asUser(host, admin, `/api/admin/v1/uploads/${session.uploadId}`)).json()) as SessionView;
    expect(view).toMatchObject({ status: "refused", problem: { type: expect.stringMatching(/upload-expired$/) } });
  });

  it(
    "when a package of several hundred MiB is published through a session, then its manifest size, hash and content information match the file",
    async () => {
      const file = join(dir, "big.nupkg");
      await pipeline(Readable.from(streamedNupkg({ id: "Contoso.Big", version: "2.0.0" }, 320 * MIB, 4 * MIB)), createWriteStream(file));
      const expected = await sha256Of(file);
      const result = await publishFile(target(), file, { stateDir: join(dir, "state"), pollMs: 500 });
      expect(result.session).toMatchObject({ status: "published", package: { packageId: "Contoso.Big", version: "2.0.0", sha256: expected } });
      const listed = (await (await asUser(host, admin, "/api/admin/v1/packages/Contoso.Big")).json()) as { versions: { sha256: string; size: number; contentInfo: { v1: boolean; v2: boolean } }[] };
      expect(listed.versions[0]).toMatchObject({ sha256: expected, size: result.session.package?.size, contentInfo: { v1: true, v2: true } });
      expect(result.session.package?.size).toBeGreaterThan(320 * MIB);
      rmSync(file);
    },
    600_000,
  );

  it(
    "when an upload is interrupted after some blocks, then the next run of the same file resumes and sends only the rest",
    async () => {
      const file = join(dir, "resume.nupkg");
      await pipeline(Readable.from(streamedNupkg({ id: "Contoso.Resume", version: "1.0.0" }, 60 * MIB, 4 * MIB)), createWriteStream(file));
      const stateDir = join(dir, "resume-state");
      const abort = new AbortController();
      let done = 0;
      await expect(
        publishFile(target(), file, {
          stateDir,
          parallel: 1,
          signal: abort.signal,
          onProgress: (p) => {
            done = p.doneBlocks;
            if (p.doneBlocks === 3) abort.abort();
          },
        }),
      ).rejects.toThrow();
      expect(done).toBe(3);
      const blocks = Math.ceil((await import("node:fs")).statSync(file).size / (8 * MIB));
      const second = await publishFile(target(), file, { stateDir, pollMs: 300 });
      expect(second).toMatchObject({ resumed: true, skippedBlocks: 3, uploadedBlocks: blocks - 3 });
      expect(second.session).toMatchObject({ status: "published", package: { sha256: await sha256Of(file) } });
    },
    300_000,
  );

  it(
    "when the publish command runs, then it shows progress with rate and time left and prints the result (--json for scripts)",
    async () => {
      const file = join(dir, "cli.nupkg");
      writeFileSync(file, buildNupkg({ id: "Contoso.Cli", version: "3.1.0" }));
      // The built CLI, as `npm run -s package` runs it (npm test builds first; an incremental build is a no-op then).
      const root = fileURLToPath(new URL("../..", import.meta.url));
      await new Promise((resolve) => spawn("npx", ["tsc", "-p", "tsconfig.build.json", "--incremental", "--tsBuildInfoFile", "dist/.tsbuildinfo"], { cwd: root, stdio: "ignore" }).on("exit", resolve));
      const cli = join(root, "dist/lib/cli/package.js");
      const run = (args: string[]) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, [cli, ...args], { env: process.env });
          let stdout = "";
          let stderr = "";
          child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
          child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
          child.on("exit", (code) => resolve({ code, stdout, stderr }));
        });
      const human = await run(["publish", file, "--url", host.url, "--token", admin, "--progress", "always", "--state-dir", join(dir, "cli-state")]);
      expect(human.code, human.stderr).toBe(0);
      expect(human.stderr).toMatch(/100%.*MiB\/s.*left/);
      expect(human.stdout).toMatch(/^Published Contoso\.Cli 3\.1\.0/);
      const scripted = await run(["publish", file, "--url", host.url, "--token", admin, "--json", "--state-dir", join(dir, "cli-state")]);
      expect(scripted.code).toBe(0);
      expect(JSON.parse(scripted.stdout)).toMatchObject({ status: "published", package: { packageId: "Contoso.Cli", created: false } });
      const help = await run(["--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/publish <file\.nupkg>/);
    },
    120_000,
  );
});
