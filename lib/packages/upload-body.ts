/** An upload body: a web stream (as @azure/functions gives it) or any async iterable of bytes. */
export type UploadBody = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

const isWebStream = (body: UploadBody): body is ReadableStream<Uint8Array> =>
  typeof (body as Partial<ReadableStream<Uint8Array>>).getReader === "function";

/** Yields the body's chunks in order; stopping early cancels a web stream so its source stops sending. */
export async function* chunksOf(body: UploadBody): AsyncGenerator<Uint8Array> {
  if (!isWebStream(body)) {
    yield* body;
    return;
  }
  const reader = body.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
