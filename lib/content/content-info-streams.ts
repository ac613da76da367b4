import { Transform, Writable } from "node:stream";
import type { ContentInfoBuilder } from "./content-info-builder.js";

const asBytes = (chunk: unknown): Uint8Array => {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === "string") return Buffer.from(chunk);
  throw new TypeError("content information streams take bytes");
};

/** Returns a Writable that feeds the builder; after "finish", call builder.finish() for the result. */
export function contentInfoSink(builder: ContentInfoBuilder): Writable {
  return new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: unknown, _encoding, callback) {
      builder.update(asBytes(chunk)).then(() => callback(), callback);
    },
    destroy(error, callback) {
      if (error !== null) builder.abort();
      callback(error);
    },
  });
}

/**
 * Returns a Transform that passes the bytes through unchanged while feeding the builder, so one read of an upload
 * can go to Blob storage and to the hashes; after the pipeline ends, call builder.finish().
 */
export function contentInfoTap(builder: ContentInfoBuilder): Transform {
  return new Transform({
    transform(chunk: unknown, _encoding, callback) {
      const bytes = asBytes(chunk);
      builder.update(bytes).then(() => callback(null, bytes), callback);
    },
    destroy(error, callback) {
      if (error !== null) builder.abort();
      callback(error);
    },
  });
}
