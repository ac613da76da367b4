import { randomBytes } from "node:crypto";
import { strToU8, Zip, ZipPassThrough, zipSync, type Zippable } from "fflate";

/** One dependency as a nuspec writes it; version omitted means "any version". */
export interface DependencySpec {
  id: string;
  version?: string;
}

/** Typed input for a test nuspec. */
export interface NuspecSpec {
  id: string;
  version: string;
  title?: string;
  description?: string;
  authors?: string;
  tags?: string[];
  /** Flat `<dependencies><dependency/></dependencies>`. */
  dependencies?: DependencySpec[];
  /** Grouped `<dependencies><group targetFramework/></dependencies>`. */
  groups?: Array<{ targetFramework?: string; dependencies: DependencySpec[] }>;
  /** Default: the 2013/05 nuspec schema; "" writes no namespace. */
  namespace?: string;
}

/** A test package: a nuspec plus payload files. */
export interface NupkgSpec extends NuspecSpec {
  /** Extra entries by path (strings are UTF-8). Default: tools/chocolateyInstall.ps1. */
  files?: Record<string, Uint8Array | string>;
  /** The nuspec entry name; default `<id>.nuspec`. */
  nuspecName?: string;
  /** Replaces the generated nuspec text. */
  nuspecXml?: string;
}

const NS = "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd";

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const dependencyXml = (d: DependencySpec, indent: string): string =>
  `${indent}<dependency id="${esc(d.id)}"${d.version === undefined ? "" : ` version="${esc(d.version)}"`} />`;

/** A nuspec document for the spec. */
export function nuspecXml(spec: NuspecSpec): string {
  const ns = spec.namespace ?? NS;
  const lines = [
    `<?xml version="1.0" encoding="utf-8"?>`,
    `<package${ns === "" ? "" : ` xmlns="${ns}"`}>`,
    `  <metadata>`,
    `    <id>${esc(spec.id)}</id>`,
    `    <version>${esc(spec.version)}</version>`,
  ];
  if (spec.title !== undefined) lines.push(`    <title>${esc(spec.title)}</title>`);
  lines.push(`    <authors>${esc(spec.authors ?? "Contoso")}</authors>`);
  lines.push(`    <description>${esc(spec.description ?? `The ${spec.id} package.`)}</description>`);
  if (spec.tags !== undefined) lines.push(`    <tags>${esc(spec.tags.join(" "))}</tags>`);
  if (spec.dependencies !== undefined || spec.groups !== undefined) {
    lines.push(`    <dependencies>`);
    for (const d of spec.dependencies ?? []) lines.push(dependencyXml(d, "      "));
    for (const g of spec.groups ?? []) {
      lines.push(`      <group${g.targetFramework === undefined ? "" : ` targetFramework="${esc(g.targetFramework)}"`}>`);
      for (const d of g.dependencies) lines.push(dependencyXml(d, "        "));
      lines.push(`      </group>`);
    }
    lines.push(`    </dependencies>`);
  }
  lines.push(`  </metadata>`, `</package>`, ``);
  return lines.join("\n");
}

const DEFAULT_FILES: Record<string, string> = {
  "tools/chocolateyInstall.ps1": "$ErrorActionPreference = 'Stop'\nWrite-Host 'installing'\n",
  "[Content_Types].xml": `<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="nuspec" ContentType="application/octet" /></Types>`,
};

/** A real .nupkg (zip, deflated) in memory. */
export function buildNupkg(spec: NupkgSpec): Uint8Array {
  const entries: Zippable = {};
  entries[spec.nuspecName ?? `${spec.id}.nuspec`] = strToU8(spec.nuspecXml ?? nuspecXml(spec));
  for (const [path, data] of Object.entries(spec.files ?? DEFAULT_FILES)) {
    entries[path] = typeof data === "string" ? strToU8(data) : data;
  }
  return zipSync(entries, { level: 6 });
}

interface CentralEntry {
  name: string;
  central: number;
  local: number;
}

function centralEntries(zip: Uint8Array): CentralEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = zip.byteLength - 22;
  if (view.getUint32(eocd, true) !== 0x06054b50) throw new Error("builder zips carry no comment; EOCD not at the end");
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  const entries: CentralEntry[] = [];
  for (let i = 0; i < count; i++) {
    const nameLength = view.getUint16(at + 28, true);
    const extra = view.getUint16(at + 30, true);
    const comment = view.getUint16(at + 32, true);
    const name = new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength));
    entries.push({ name, central: at, local: view.getUint32(at + 42, true) });
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}

/** A copy of the zip with the "encrypted" flag set on the named entry (central and local headers). */
export function withEncryptedFlag(zip: Uint8Array, name: string): Uint8Array {
  const copy = zip.slice();
  const view = new DataView(copy.buffer);
  const entry = centralEntries(copy).find((e) => e.name === name);
  if (entry === undefined) throw new Error(`no entry ${name}`);
  view.setUint16(entry.central + 8, view.getUint16(entry.central + 8, true) | 1, true);
  view.setUint16(entry.local + 6, view.getUint16(entry.local + 6, true) | 1, true);
  return copy;
}

/** A copy of the zip whose named entry declares a different uncompressed size (central and local headers). */
export function withDeclaredSize(zip: Uint8Array, name: string, uncompressedSize: number): Uint8Array {
  const copy = zip.slice();
  const view = new DataView(copy.buffer);
  const entry = centralEntries(copy).find((e) => e.name === name);
  if (entry === undefined) throw new Error(`no entry ${name}`);
  view.setUint32(entry.central + 24, uncompressedSize, true);
  view.setUint32(entry.local + 22, uncompressedSize, true);
  return copy;
}

/** A copy of the zip whose named entry is renamed (same length) in its central and local headers, e.g. to duplicate a name. */
export function withRenamedEntry(zip: Uint8Array, name: string, to: string): Uint8Array {
  const bytes = new TextEncoder().encode(to);
  if (bytes.length !== new TextEncoder().encode(name).length) throw new Error("the new name must have the same byte length");
  const copy = zip.slice();
  const entry = centralEntries(copy).find((e) => e.name === name);
  if (entry === undefined) throw new Error(`no entry ${name}`);
  copy.set(bytes, entry.central + 46);
  copy.set(bytes, entry.local + 30);
  return copy;
}

/** A copy of the zip with one byte of the named entry's data flipped, its CRC-32 left as it was (build it stored, level 0). */
export function withCorruptedData(zip: Uint8Array, name: string): Uint8Array {
  const copy = zip.slice();
  const view = new DataView(copy.buffer);
  const entry = centralEntries(copy).find((e) => e.name === name);
  if (entry === undefined) throw new Error(`no entry ${name}`);
  const data = entry.local + 30 + view.getUint16(entry.local + 26, true) + view.getUint16(entry.local + 28, true);
  copy[data] = (copy[data] ?? 0) ^ 0xff;
  return copy;
}

/** A refused package and what the refusal must say. */
export interface MaliciousCase {
  name: string;
  bytes: Uint8Array;
  /** The AppError code expected (all are 400 validation errors). */
  code: "unsafe-package" | "invalid-package" | "invalid-nuspec";
  /** A fragment the message must contain. */
  message: RegExp;
}

const base: NupkgSpec = { id: "Contoso.Tool", version: "1.0.0" };
const MIB = 1024 * 1024;

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<package><metadata><id>Contoso.Tool</id><version>1.0.0</version><authors>a</authors><description>&lol3;</description></metadata></package>`;

const xxe = `<?xml version="1.0"?>
<!DOCTYPE package [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<package><metadata><id>Contoso.Tool</id><version>1.0.0</version><authors>a</authors><description>&xxe;</description></metadata></package>`;

/** Every malicious or malformed package the pipeline must refuse with 400. */
export function maliciousNupkgs(): MaliciousCase[] {
  const good = buildNupkg(base);
  const manyEntries: Record<string, string> = {};
  for (let i = 0; i < 10_000; i++) manyEntries[`content/f${i}.txt`] = "x";
  const nuspecName = "Contoso.Tool.nuspec";
  return [
    { name: "dot-dot entry", bytes: buildNupkg({ ...base, files: { "tools/../../evil.ps1": "x" } }), code: "unsafe-package", message: /"\.\."/ },
    { name: "absolute path entry", bytes: buildNupkg({ ...base, files: { "/etc/evil": "x" } }), code: "unsafe-package", message: /absolute path/ },
    { name: "drive letter entry", bytes: buildNupkg({ ...base, files: { "C:/Windows/evil.dll": "x" } }), code: "unsafe-package", message: /absolute path/ },
    { name: "backslash entry", bytes: buildNupkg({ ...base, files: { "tools\\evil.ps1": "x" } }), code: "unsafe-package", message: /backslash/ },
    { name: "10,001 entries", bytes: zipSync({ [nuspecName]: strToU8(nuspecXml(base)), ...Object.fromEntries(Object.entries(manyEntries).map(([k, v]) => [k, strToU8(v)])) }, { level: 0 }), code: "unsafe-package", message: /10001 entries/ },
    {
      name: "2 MiB nuspec",
      bytes: buildNupkg({ ...base, description: randomBytes(1.5 * MIB).toString("base64") }),
      code: "unsafe-package",
      message: /nuspec .* bytes; the maximum is 1048576/,
    },
    { name: "zip bomb", bytes: buildNupkg({ ...base, files: { "tools/payload.bin": new Uint8Array(24 * MIB) } }), code: "unsafe-package", message: /zip bomb/ },
    { name: "nuspec inflating past its declared size", bytes: withDeclaredSize(good, nuspecName, 64), code: "unsafe-package", message: /declared size/ },
    { name: "encrypted entry", bytes: withEncryptedFlag(good, "tools/chocolateyInstall.ps1"), code: "invalid-package", message: /encrypted/ },
    { name: "XXE nuspec", bytes: buildNupkg({ ...base, nuspecXml: xxe }), code: "invalid-nuspec", message: /DOCTYPE/ },
    { name: "billion laughs nuspec", bytes: buildNupkg({ ...base, nuspecXml: billionLaughs }), code: "invalid-nuspec", message: /DOCTYPE/ },
    { name: "not a zip", bytes: strToU8("MZ\u0090 this is an executable, not a package ".repeat(50)), code: "invalid-package", message: /not a zip/ },
    { name: "empty body", bytes: new Uint8Array(0), code: "invalid-package", message: /not a zip/ },
    {
      name: "two nuspecs",
      bytes: buildNupkg({ ...base, files: { "Other.nuspec": nuspecXml({ id: "Other", version: "1.0.0" }) } }),
      code: "invalid-package",
      message: /more than one \.nuspec/,
    },
    { name: "missing nuspec", bytes: zipSync({ "tools/chocolateyInstall.ps1": strToU8("x") }), code: "invalid-package", message: /no \.nuspec/ },
    { name: "invalid id", bytes: buildNupkg({ ...base, id: "bad..id" }), code: "invalid-nuspec", message: /nuspec id/ },
    { name: "invalid version", bytes: buildNupkg({ ...base, version: "1.0.0.0.0" }), code: "invalid-nuspec", message: /nuspec version/ },
  ];
}

/**
 * A real .nupkg of any size produced piece by piece (stored entries with data descriptors), so a test can upload
 * tens of MiB without holding them: the nuspec, then `tools/payload.bin` of payloadBytes random bytes.
 */
export async function* streamedNupkg(spec: NuspecSpec, payloadBytes: number, pieceBytes = MIB): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  let failure: Error | undefined;
  const zip = new Zip((error, chunk) => {
    if (error !== null) failure = error;
    else out.push(chunk);
  });
  const nuspec = new ZipPassThrough(`${spec.id}.nuspec`);
  zip.add(nuspec);
  nuspec.push(strToU8(nuspecXml(spec)), true);
  const payload = new ZipPassThrough("tools/payload.bin");
  zip.add(payload);
  for (let at = 0; at < payloadBytes; at += pieceBytes) {
    const length = Math.min(pieceBytes, payloadBytes - at);
    payload.push(randomBytes(length), at + length >= payloadBytes);
    if (failure !== undefined) throw failure;
    yield* out.splice(0);
  }
  zip.end();
  if (failure !== undefined) throw failure;
  yield* out.splice(0);
}
