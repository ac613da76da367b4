import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as df from "durable-functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AzureOrchestrationClient } from "../../../lib/durable/azure-orchestration-client.js";
import { InvocationContext } from "../../../lib/registry/azure-functions.js";

// The real durable-functions client against a local server answering the Durable Functions HTTP API
// (runtime/webhooks/durabletask): GET instances/{id} 404 or the status, POST orchestrators/{name}/{id} 202,
// and 409 Conflict when the instance already exists and is running (the extension's default overridable states).

interface Instance {
  name: string;
  runtimeStatus: string;
  input: unknown;
}

const instances = new Map<string, Instance>();
/** Instance ids whose status lookups answer 404 once more: the start lands between a caller's look and its start. */
const lateStatus = new Set<string>();
let server: Server;
let rpcBaseUrl = "";

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString()));
    req.on("end", () => resolve(text));
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const parts = url.pathname.split("/").filter((p) => p !== "").slice(3); // after runtime/webhooks/durabletask
      const send = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      const body = await readBody(req);
      if (req.method === "GET" && parts[0] === "instances" && parts[1] !== undefined) {
        const found = instances.get(parts[1]);
        if (found === undefined || lateStatus.delete(parts[1])) return send(404, { message: "not found" });
        const now = new Date().toISOString();
        return send(200, { name: found.name, instanceId: parts[1], runtimeStatus: found.runtimeStatus, input: found.input, customStatus: null, output: null, createdTime: now, lastUpdatedTime: now, history: [] });
      }
      if (req.method === "POST" && parts[0] === "orchestrators" && parts[1] !== undefined && parts[2] !== undefined) {
        const existing = instances.get(parts[2]);
        if (existing !== undefined && ["Running", "Pending"].includes(existing.runtimeStatus)) {
          return send(409, { message: `An instance with ID '${parts[2]}' already exists.` });
        }
        instances.set(parts[2], { name: parts[1], runtimeStatus: "Running", input: body === "" ? null : (JSON.parse(body) as unknown) });
        return send(202, { id: parts[2], statusQueryGetUri: `${rpcBaseUrl}instances/${parts[2]}` });
      }
      send(404, { message: "unknown route" });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  rpcBaseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/runtime/webhooks/durabletask/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The client of one invocation, as the host binds it (`extraInputs: [df.input.durableClient()]`). */
function client(): AzureOrchestrationClient {
  const input = df.input.durableClient();
  const context = new InvocationContext({ options: { extraInputs: [input] } });
  const urls = { createNewInstancePostUri: `${rpcBaseUrl}orchestrators/{functionName}[/{instanceId}]` };
  context.extraInputs.set(input, { taskHubName: "RealmJoinHub", creationUrls: urls, managementUrls: { id: "INSTANCEID" }, baseUrl: rpcBaseUrl, requiredQueryStringParameters: "", rpcBaseUrl });
  return AzureOrchestrationClient.fromContext(context);
}

describe("the Durable client in Azure", () => {
  it("when an instance is started, then it is started, and a second start of the same running instance is 'exists'", async () => {
    expect(await client().startNew("onboarding", "run-1", { deviceId: "d1" })).toBe("started");
    expect(await client().startNew("onboarding", "run-1", { deviceId: "d1" })).toBe("exists");
  });

  it("when another caller starts the instance between the status look and the start (the API answers 409), then it is 'exists', not an error", async () => {
    expect(await client().startNew("onboarding", "run-2", {})).toBe("started");
    lateStatus.add("run-2");
    expect(await client().startNew("onboarding", "run-2", {})).toBe("exists");
  });
});
