import { createHash, randomBytes, randomUUID } from "node:crypto";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { AppError } from "../../../lib/core/errors.js";
import { blobServiceFor } from "../../../lib/storage/blob-store.js";
import type { SasSigningKeys } from "../../../lib/packages/blob-sas.js";
import { finalizeStaging } from "../../../lib/packages/blob-finalize.js";
import { readStagedNupkg } from "../../../lib/packages/nupkg-reader.js";
import { parseNuspec } from "../../../lib/packages/nuspec-parser.js";
import { ingestNupkg } from "../../../lib/packages/upload-ingest.js";
import { stageUpload, type UploadSink } from "../../../lib/packages/upload-stream.js";
import { buildNupkg, maliciousNupkgs, nuspecXml, streamedNupkg } from "../../support/nupkg-builder.js";
import { rejectionOf as refusal } from "../../support/app-error.js";

const MIB = 1024 * 1024;
const cs = inject("storageConnectionString");
let service: BlobServiceClient;
let keys: SasSigningKeys;
const containers: ContainerClient[] = [];

beforeAll(() => {
  const { service: s, sharedKey } = blobServiceFor({ kind: "connection-string", connectionString: cs });
  service = s;
  keys = sharedKey === undefined ? {} : { sharedKey };
});

afterAll(async () => {
  for (const c of containers) await c.deleteIfExists();
});

async function freshContainer(): Promise<ContainerClient> {
  const container = service.getContainerClient(`pkg-${randomUUID()}`);
  await container.create();
  containers.push(container);
  return container;
}

/** Every blob name in the container, uncommitted block blobs included. */
async function blobNames(container: ContainerClient): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat({ includeUncommitedBlobs: true })) names.push(blob.name);
  return names.sort();
}

/** Splits bytes into uneven chunks, as a network would deliver them. */
async function* chunked(bytes: Uint8Array, sizes = [1, 7000, 65536, 300_001]): AsyncGenerator<Uint8Array> {
  let i = 0;
  for (let at = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    yield bytes.slice(at, at + size);
    at += size;
  }
}

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

describe("package upload pipeline on Azurite", () => {
  it("when a real package is staged, read and finalized, then it lives at sha256/<hex> and nothing else remains", async () => {
    const container = await freshContainer();
    const bytes = buildNupkg({ id: "Contoso.Tool", version: "1.2", tags: ["realmjoin:user"], groups: [{ targetFramework: "net48", dependencies: [{ id: "Dep", version: "[1.0,2.0)" }] }] });

    const staged = await stageUpload({ body: chunked(bytes), container, limitBytes: 10 * MIB, sinks: [] });
    expect(staged.stagingBlobName).toMatch(/^staging\/[0-9a-f-]{36}$/);
    const inspection = await readStagedNupkg(container.getBlobClient(staged.stagingBlobName), staged.size);
    const metadata = parseNuspec(inspection.nuspecXml);
    const finalized = await finalizeStaging({ container, stagingBlobName: staged.stagingBlobName, sha256Hex: staged.sha256Hex, keys });

    expect(staged).toMatchObject({ sha256Hex: sha256(bytes), size: bytes.byteLength });
    expect(metadata).toMatchObject({
      id: "Contoso.Tool",
      version: "1.2.0",
      installContext: "user",
      dependencyGroups: [{ targetFramework: "net48", dependencies: [{ id: "Dep", range: "[1.0.0, 2.0.0)" }] }],
    });
    expect(finalized).toEqual({ contentBlobName: `sha256/${sha256(bytes)}`, copied: true });
    expect(await blobNames(container)).toEqual([`sha256/${sha256(bytes)}`]);
    const stored = await container.getBlobClient(finalized.contentBlobName).downloadToBuffer();
    expect(sha256(stored)).toBe(sha256(bytes));
  });

  it("when the same bytes are published twice, then the second skips the copy and one content blob remains", async () => {
    const container = await freshContainer();
    const bytes = buildNupkg({ id: "Twice", version: "1.0.0" });
    const first = await ingestNupkg({ body: chunked(bytes), container, limitBytes: MIB, keys });
    const second = await ingestNupkg({ body: chunked(bytes), container, limitBytes: MIB, keys });
    expect(first.copied).toBe(true);
    expect(second).toMatchObject({ copied: false, contentBlobName: first.contentBlobName, sha256Hex: first.sha256Hex });
    expect(await blobNames(container)).toEqual([first.contentBlobName]);
  });

  it("when the body arrives as a web ReadableStream, then it is staged like any other", async () => {
    const container = await freshContainer();
    const bytes = buildNupkg({ id: "Web", version: "1.0.0" });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 100));
        controller.enqueue(bytes.slice(100));
        controller.close();
      },
    });
    const ingested = await ingestNupkg({ body, container, limitBytes: MIB, keys });
    expect(ingested).toMatchObject({ sha256Hex: sha256(bytes), size: bytes.byteLength, metadata: { id: "Web" } });
  });

  it("when the nuspec is larger than the read-ahead window, then it is streamed by range and parsed", async () => {
    const container = await freshContainer();
    const padding = `<!-- ${randomBytes(600 * 1024).toString("base64")} -->`;
    const xml = nuspecXml({ id: "Padded", version: "1.0.0" }).replace("<metadata>", `<metadata>${padding}`);
    const bytes = buildNupkg({ id: "Padded", version: "1.0.0", nuspecXml: xml });
    const staged = await stageUpload({ body: chunked(bytes), container, limitBytes: 2 * MIB });
    const inspection = await readStagedNupkg(container.getBlobClient(staged.stagingBlobName), staged.size);
    expect(inspection.nuspecXml).toBe(xml);
    expect(parseNuspec(inspection.nuspecXml).id).toBe("Padded");
  });

  it("when beforeFinalize refuses the package, then its error surfaces and no blob is left", async () => {
    const container = await freshContainer();
    const bytes = buildNupkg({ id: "Dup", version: "1.0.0" });
    const refused = new AppError("conflict", "Dup 1.0.0 already exists");
    await expect(
      ingestNupkg({
        body: chunked(bytes),
        container,
        limitBytes: MIB,
        keys,
        beforeFinalize: async (metadata) => {
          expect(metadata.id).toBe("Dup");
          throw refused;
        },
      }),
    ).rejects.toBe(refused);
    expect(await blobNames(container)).toEqual([]);
  });

  for (const bad of maliciousNupkgs()) {
    it(`when the package is "${bad.name}", then it is refused with 400 ${bad.code} and no blob is left`, async () => {
      const container = await freshContainer();
      const error = await refusal(() => ingestNupkg({ body: chunked(bad.bytes, [MIB]), container, limitBytes: 64 * MIB, keys }));
      expect(error.status).toBe(400);
      expect(error.code).toBe(bad.code);
      expect(error.message).toMatch(bad.message);
      expect(await blobNames(container)).toEqual([]);
    });
  }

  it("when the body passes the limit after blocks were staged, then it is refused with 413 and no blob is left", async () => {
    const container = await freshContainer();
    const sent = { bytes: 0 };
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) {
        sent.bytes += 64 * 1024;
        yield randomBytes(64 * 1024);
      }
    }
    const error = await refusal(() => stageUpload({ body: endless(), container, limitBytes: 3 * MIB, bufferBytes: 256 * 1024, maxBuffers: 2 }));
    expect(error.status).toBe(413);
    expect(error.kind).toBe("too-large");
    expect(sent.bytes).toBeLessThanOrEqual(3 * MIB + 64 * 1024);
    expect(await blobNames(container)).toEqual([]);
  });

  it("when the declared length is over the limit, then it is refused with 413 before reading", async () => {
    const container = await freshContainer();
    let pulled = false;
    async function* body(): AsyncGenerator<Uint8Array> {
      pulled = true;
      yield new Uint8Array(1);
    }
    const error = await refusal(() => stageUpload({ body: body(), container, limitBytes: MIB, declaredLength: MIB + 1 }));
    expect(error.status).toBe(413);
    expect(pulled).toBe(false);
    expect(await blobNames(container)).toEqual([]);
  });

  it("when a sink fails, then its error surfaces and no blob is left", async () => {
    const container = await freshContainer();
    const failing: UploadSink = {
      update: async () => {
        await Promise.resolve();
        throw new Error("hashing pool gone");
      },
    };
    await expect(stageUpload({ body: chunked(randomBytes(MIB)), container, limitBytes: 2 * MIB, sinks: [failing], bufferBytes: 64 * 1024 })).rejects.toThrow(
      "hashing pool gone",
    );
    expect(await blobNames(container)).toEqual([]);
  });

  it("when bytes are staged in uneven chunks, then SHA-256 and size equal node:crypto's and every sink saw the same bytes", async () => {
    const container = await freshContainer();
    const bytes = randomBytes(5 * MIB + 123);
    const sinkHash = createHash("sha256");
    let sinkBytes = 0;
    const sink: UploadSink = {
      update: async (chunk) => {
        await Promise.resolve();
        sinkHash.update(chunk);
        sinkBytes += chunk.byteLength;
      },
    };
    const staged = await stageUpload({ body: chunked(bytes), container, limitBytes: 8 * MIB, sinks: [sink], bufferBytes: MIB });
    expect(staged.sha256Hex).toBe(sha256(bytes));
    expect(staged.size).toBe(bytes.byteLength);
    expect(sinkHash.digest("hex")).toBe(staged.sha256Hex);
    expect(sinkBytes).toBe(bytes.byteLength);
    const stored = await container.getBlobClient(staged.stagingBlobName).downloadToBuffer();
    expect(sha256(stored)).toBe(staged.sha256Hex);
  });

  it("when a 64 MiB package is ingested, then it is stored whole under its digest", async () => {
    const container = await freshContainer();
    const hash = createHash("sha256");
    let size = 0;
    async function* body(): AsyncGenerator<Uint8Array> {
      for await (const chunk of streamedNupkg({ id: "Big.Package", version: "3.0.0" }, 64 * MIB)) {
        hash.update(chunk);
        size += chunk.byteLength;
        yield chunk;
      }
    }
    const ingested = await ingestNupkg({ body: body(), container, limitBytes: 128 * MIB, keys });
    const digest = hash.digest("hex");
    expect(ingested).toMatchObject({ sha256Hex: digest, size, contentBlobName: `sha256/${digest}`, copied: true, metadata: { id: "Big.Package", version: "3.0.0" } });
    expect(size).toBeGreaterThan(64 * MIB);
    const properties = await container.getBlobClient(ingested.contentBlobName).getProperties();
    expect(properties.contentLength).toBe(size);
    expect(await blobNames(container)).toEqual([ingested.contentBlobName]);
  }, 120_000);
});
