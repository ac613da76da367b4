import { readFileSync } from "node:fs";
import { z } from "zod";

const dir = new URL("../../fixtures/", import.meta.url);

/** Reads every line of a published test-vector file as JSON. */
export function readJsonl(name: string): unknown[] {
  return readFileSync(new URL(name, dir), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line): unknown => JSON.parse(line));
}

const hex = z.string().regex(/^([0-9a-f]{2})*$/);

const v1Capture = z.object({
  id: z.literal("PCCRC-IIS-V1-iis85png"),
  passphrase_hex: hex,
  server_secret_Ks_hex: hex,
  content_length: z.number(),
  contentinfo_len: z.number(),
  contentinfo_hex: hex,
  parsed: z.object({
    dwOffsetInFirstSegment: z.number(),
    dwReadBytesInLastSegment: z.number(),
    cSegments: z.number(),
    segments: z.array(
      z.object({
        ullOffsetInContent: z.number(),
        cbSegment: z.number(),
        cbBlockSize: z.number(),
        HoD: hex,
        Kp: hex,
        HoHoDk: hex,
        cBlocks: z.number(),
        blocks: z.array(z.object({ index: z.number(), range: z.tuple([z.number(), z.number()]), hash: hex })),
      }),
    ),
  }),
});

const v2Capture = z.object({
  id: z.literal("PCCRC-IIS-V2-iis85png"),
  passphrase_hex: hex,
  server_secret_Ks_hex: hex,
  content_length: z.number(),
  contentinfo_len: z.number(),
  contentinfo_hex: hex,
  parsed: z.object({
    bMinorVersion: z.number(),
    bMajorVersion: z.number(),
    ullStartInContent: z.number(),
    ullIndexOfFirstSegment: z.number(),
    dwOffsetInFirstSegment: z.number(),
    ullLengthOfRange: z.number(),
    chunks: z.array(
      z.object({
        bChunkType: z.number(),
        dwChunkDataLength: z.number(),
        segments: z.array(z.object({ cbSegment: z.number(), range: z.tuple([z.number(), z.number()]), HoD: hex, Kp: hex, HoHoDk: hex })),
      }),
    ),
  }),
});

const utf16Secret = z.object({
  id: z.literal("KS-server-secret-utf16"),
  passphrase_string: z.string(),
  passphrase_bytes_utf16le: hex,
  Ks_v1_sha256: hex,
  Ks_v2_trunc_sha512: hex,
});

const rawSecret = z.object({
  id: z.literal("KS-ipxe-raw-passphrase"),
  passphrase_bytes: hex,
  Ks_v1_sha256: hex,
  Ks_v2_trunc_sha512: hex,
});

const magic = z.object({ id: z.literal("HOHODK-MAGIC"), value_hex: hex, length: z.number() });
const truncated = z.object({ id: z.literal("TRUNC-SHA512-vs-SHA512_256"), input_hex: hex, trunc_sha512_32: hex, sha512_256_WRONG: hex });

const captures = readJsonl("pccrc-iis-captures.jsonl");
const byId = (id: string): unknown => captures.find((c) => z.object({ id: z.string() }).parse(c).id === id);

/** The published PCCRC vectors, typed. */
export const pccrc = {
  v1: v1Capture.parse(byId("PCCRC-IIS-V1-iis85png")),
  v2: v2Capture.parse(byId("PCCRC-IIS-V2-iis85png")),
  utf16Secret: utf16Secret.parse(byId("KS-server-secret-utf16")),
  rawSecret: rawSecret.parse(byId("KS-ipxe-raw-passphrase")),
  magic: magic.parse(byId("HOHODK-MAGIC")),
  truncated: truncated.parse(byId("TRUNC-SHA512-vs-SHA512_256")),
  count: captures.length,
};

/** Hex to bytes. */
export const fromHex = (h: string): Buffer => Buffer.from(h, "hex");

/** Returns what a function throws; fails the test when it returns. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}
