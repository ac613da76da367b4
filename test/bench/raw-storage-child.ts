import { startRawStorageServer, type RawStorageServerInput } from "./raw-storage-server.js";

/** Child-process side of startRawStorageServerProcess: serves and reports its origin over IPC. */
function isInput(value: unknown): value is RawStorageServerInput {
  return typeof value === "object" && value !== null && "connectionString" in value && "deviceIds" in value;
}

process.once("message", (message: unknown) => {
  if (!isInput(message)) process.exit(1);
  startRawStorageServer(message).then(
    (server) => process.send?.(server.origin),
    () => process.exit(1),
  );
});
