import { startPlainServer } from "./plain-server.js";

/** Child-process side of startPlainServerProcess: serves the answer it is sent and reports its origin over IPC. */
interface PlainServerMessage {
  status: number;
  headers: Record<string, string>;
  /** base64 */
  body: string;
  etags: string[];
}

function isMessage(value: unknown): value is PlainServerMessage {
  return typeof value === "object" && value !== null && "status" in value && "body" in value && "etags" in value;
}

process.once("message", (message: unknown) => {
  if (!isMessage(message)) process.exit(1);
  startPlainServer({ status: message.status, headers: message.headers, body: Buffer.from(message.body, "base64") }, message.etags).then(
    (server) => process.send?.(server.origin),
    () => process.exit(1),
  );
});
