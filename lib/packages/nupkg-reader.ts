import { crc32 } from "node:zlib";
import type { BlobClient } from "@azure/storage-blob";
import yauzl from "yauzl";
import { isAppError } from "../core/errors.js";
import {
  checkEntryName,
  checkEntrySizes,
  checkTotalSize,
  invalidPackage,
  isRootNuspec,
  unsafePackage,
} from "./nupkg-entry-checks.js";
import { NUPKG_LIMITS, type NupkgLimits } from "./nupkg-limits.js";
import { BlobRangeReader, RangeReadError } from "./nupkg-range-reader.js";

/** What inspecting a package yields: its root nuspec (text) and the archive's declared shape. */
export interface NupkgInspection {
  readonly nuspecPath: string;
  readonly nuspecXml: string;
  readonly entryCount: number;
  readonly declaredUncompressedBytes: number;
}

const FLAG_ENCRYPTED = 0x1;
const FLAG_STRONG_ENCRYPTION = 0x40;

/**
 * Reads a staged package blob as a zip through ranged downloads (never the whole blob) and returns its root
 * nuspec. Throws AppError("validation") with code "unsafe-package" or "invalid-package" for a refused archive;
 * a storage failure is rethrown as the storage error.
 */
export async function readStagedNupkg(blob: BlobClient, size: number, limits: NupkgLimits = NUPKG_LIMITS): Promise<NupkgInspection> {
  return await inspectNupkg(new BlobRangeReader(blob, size), size, limits);
}

/** Inspects a zip through any yauzl random-access reader; same refusals as readStagedNupkg. */
export async function inspectNupkg(reader: yauzl.RandomAccessReader, size: number, limits: NupkgLimits = NUPKG_LIMITS): Promise<NupkgInspection> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromRandomAccessReaderPromise(reader, size, {
      lazyEntries: true,
      autoClose: false,
      // Names are decoded and judged here, so a refusal says precisely why.
      decodeStrings: false,
      validateEntrySizes: true,
    });
  } catch (error) {
    throw translate(error, "The body is not a zip archive (a .nupkg is one)");
  }
  try {
    return await inspectOpen(zip, size, limits);
  } catch (error) {
    throw translate(error, "The package is not a readable zip archive");
  } finally {
    zip.close();
  }
}

async function inspectOpen(zip: yauzl.ZipFile, size: number, limits: NupkgLimits): Promise<NupkgInspection> {
  if (zip.entryCount > limits.maxEntries) {
    throw unsafePackage(`The package has ${zip.entryCount} entries; the maximum is ${limits.maxEntries}`);
  }
  let nuspec: { entry: yauzl.Entry; name: string } | undefined;
  let total = 0;
  let count = 0;
  const entries: { entry: yauzl.Entry; name: string }[] = [];
  // Extraction is case-insensitive on Windows, so "a.ps1" and "A.ps1" are the same file: a second one would overwrite the first.
  const seen = new Set<string>();
  for await (const entry of zip.eachEntry()) {
    count++;
    const name = entryName(entry);
    checkEntryName(name);
    const folded = name.toLowerCase();
    if (seen.has(folded)) throw unsafePackage(`The package has more than one entry named ${JSON.stringify(name.length > 120 ? `${name.slice(0, 117)}...` : name)}`);
    seen.add(folded);
    entries.push({ entry, name });
    if ((entry.generalPurposeBitFlag & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0) {
      throw invalidPackage(`Entry ${JSON.stringify(name)} is encrypted; packages must not be`);
    }
    checkEntrySizes(name, entry.compressedSize, entry.uncompressedSize, limits);
    total += entry.uncompressedSize;
    checkTotalSize(total, size, limits);
    if (isRootNuspec(name)) {
      if (nuspec !== undefined) {
        throw invalidPackage(`The package has more than one .nuspec at its root (${JSON.stringify(nuspec.name)}, ${JSON.stringify(name)})`);
      }
      nuspec = { entry, name };
    }
  }
  if (nuspec === undefined) throw invalidPackage("The package has no .nuspec file at its root");
  const nuspecXml = await readNuspec(zip, nuspec.entry, nuspec.name, limits.maxNuspecBytes);
  for (const { entry, name } of entries) {
    if (entry !== nuspec.entry) await readEntry(zip, entry, name, () => undefined);
  }
  return { nuspecPath: nuspec.name, nuspecXml, entryCount: count, declaredUncompressedBytes: total };
}

// With decodeStrings off, yauzl leaves the raw bytes; strictFileNames keeps backslashes so they can be refused.
const entryName = (entry: yauzl.Entry): string =>
  yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);

async function readNuspec(zip: yauzl.ZipFile, entry: yauzl.Entry, name: string, maxBytes: number): Promise<string> {
  if (entry.uncompressedSize > maxBytes) {
    throw unsafePackage(`The nuspec ${JSON.stringify(name)} is ${entry.uncompressedSize} bytes; the maximum is ${maxBytes}`);
  }
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw invalidPackage(`The nuspec uses compression method ${entry.compressionMethod}; only stored (0) and deflate (8) are supported`);
  }
  const parts: Buffer[] = [];
  let read = 0;
  await readEntry(zip, entry, name, (bytes) => {
    read += bytes.length;
    // The declared size is attacker-written: enforce the limit on the inflated bytes as well.
    if (read > maxBytes) throw unsafePackage(`The nuspec ${JSON.stringify(name)} inflates past ${maxBytes} bytes`);
    parts.push(bytes);
  });
  return decodeUtf8(Buffer.concat(parts), name);
}

/**
 * Inflates one entry, handing each chunk to `onChunk`, and checks the bytes against the entry's CRC-32 (yauzl
 * checks sizes but never CRCs). Throws unsafe-package when it inflates past its declared size, invalid-package
 * for a CRC mismatch or an unsupported compression method.
 */
async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, name: string, onChunk: (bytes: Buffer) => void): Promise<void> {
  const shown = JSON.stringify(name.length > 120 ? `${name.slice(0, 117)}...` : name);
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw invalidPackage(`Entry ${shown} uses compression method ${entry.compressionMethod}; only stored (0) and deflate (8) are supported`);
  }
  const stream = await zip.openReadStreamPromise(entry, {});
  let crc = 0;
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      crc = crc32(bytes, crc);
      onChunk(bytes);
    }
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("too many bytes in the stream")) {
      throw unsafePackage(`Entry ${shown} inflates past its declared size of ${entry.uncompressedSize} bytes`);
    }
    throw error;
  } finally {
    stream.destroy();
  }
  if (crc >>> 0 !== entry.crc32 >>> 0) throw invalidPackage(`Entry ${shown} does not match its CRC-32: the archive is corrupt`);
}

function decodeUtf8(bytes: Buffer, name: string): string {
  try {
    // ignoreBOM: false strips a leading UTF-8 byte-order mark, which NuGet tools often write.
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw invalidPackage(`The nuspec ${JSON.stringify(name)} is not UTF-8 text`);
  }
}

function translate(error: unknown, fallback: string): unknown {
  if (isAppError(error)) return error;
  if (error instanceof RangeReadError) return error.cause;
  const message = error instanceof Error ? error.message : String(error);
  return invalidPackage(`${fallback}: ${message}`);
}
