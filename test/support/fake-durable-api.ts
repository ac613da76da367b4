import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as df from "durable-functions";
import { AzureOrchestrationClient } from "../../lib/durable/azure-orchestration-client.js";
import { InvocationContext } from "../../lib/registry/azure-functions.js";

// A local server answering the Durable Functions HTTP API (runtime/webhooks/durabletask) as the
// durable-functions client calls it through `rpcBaseUrl`:
//   GET    instances/{id}                       404 or the status
//   POST   orchestrators/{name}/{id}            202, or 409 when the instance exists and is running
//   DELETE instances/{id}                       purge one: { instancesDeleted }, 404 when absent
//   DELETE instances/?createdTimeFrom&createdTimeTo&runtimeStatus   purge by filter: { instancesDeleted }
// The real Durable client is used against it, so the production adapter is what a test exercises.

export interface FakeInstance {
  name: string;
  runtimeStatus: string;
  input: unknown;
  createdTime: Date;
}

/** One request as the server saw it. */
export interface DurableRequest {
  method: string;
  path: string;
  query: Record<string, string>;
}

export interface FakeDurableApi {
  instances: Map<string, FakeInstance>;
  /** Instance ids whose status lookups answer 404 once more (a start lands between a caller's look and its start). */
  lateStatus: Set<string>;
  requests: DurableRequest[];
  /** The client of one invocation, as the host binds it (`extraInputs: [df.input.durableClient()]`). */
  client(): AzureOrchestrationClient;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString()));
    req.on("end", () => resolve(text));
  });
}

/** created ∈ [from, to) and status in the list: the extension's purge-by-filter selection. */
function matchesFilter(instance: FakeInstance, query: URLSearchParams): boolean {
  const from = query.get("createdTimeFrom");
  const to = query.get("createdTimeTo");
  const statuses = query.get("runtimeStatus")?.split(",");
  const t = instance.createdTime.getTime();
  if (from !== null && t < Date.parse(from)) return false;
  if (to !== null && t >= Date.parse(to)) return false;
  return statuses === undefined || statuses.includes(instance.runtimeStatus);
}

export async function startFakeDurableApi(): Promise<FakeDurableApi> {
  const instances = new Map<string, FakeInstance>();
  const lateStatus = new Set<string>();
  const requests: DurableRequest[] = [];
  let rpcBaseUrl = "";

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const parts = url.pathname.split("/").filter((p) => p !== "").slice(3); // after runtime/webhooks/durabletask
      requests.push({ method: req.method ?? "", path: parts.join("/"), query: Object.fromEntries(url.searchParams) });
      const send = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      const body = await readBody(req);
      const id = parts[1];
      if (req.method === "GET" && parts[0] === "instances" && id !== undefined) {
        const found = instances.get(id);
        if (found === undefined || lateStatus.delete(id)) return send(404, { message: "not found" });
        const created = found.createdTime.toISOString();
        return send(200, { name: found.name, instanceId: id, runtimeStatus: found.runtimeStatus, input: found.input, customStatus: null, output: null, createdTime: created, lastUpdatedTime: created, history: [] });
      }
      if (req.method === "POST" && parts[0] === "orchestrators" && id !== undefined && parts[2] !== undefined) {
        const existing = instances.get(parts[2]);
        if (existing !== undefined && ["Running", "Pending"].includes(existing.runtimeStatus)) {
          return send(409, { message: `An instance with ID '${parts[2]}' already exists.` });
        }
        instances.set(parts[2], { name: id, runtimeStatus: "Running", input: body === "" ? null : (JSON.parse(body) as unknown), createdTime: new Date() });
        return send(202, { id: parts[2], statusQueryGetUri: `${rpcBaseUrl}instances/${parts[2]}` });
      }
      if (req.method === "DELETE" && parts[0] === "instances" && id !== undefined) {
        return instances.delete(id) ? send(200, { instancesDeleted: 1 }) : send(404, { message: "not found" });
      }
      if (req.method === "DELETE" && parts[0] === "instances") {
        let deleted = 0;
        for (const [key, instance] of instances) {
          if (matchesFilter(instance, url.searchParams) && instances.delete(key)) deleted++;
        }
        return deleted === 0 ? send(404, { message: "no instances matched" }) : send(200, { instancesDeleted: deleted });
      }
      send(404, { message: "unknown route" });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  rpcBaseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/runtime/webhooks/durabletask/`;

  return {
    instances,
    lateStatus,
    requests,
    client() {
      const input = df.input.durableClient();
      const context = new InvocationContext({ options: { extraInputs: [input] } });
      const urls = { createNewInstancePostUri: `${rpcBaseUrl}orchestrators/{functionName}[/{instanceId}]` };
      context.extraInputs.set(input, { taskHubName: "RealmJoinHub", creationUrls: urls, managementUrls: { id: "INSTANCEID" }, baseUrl: rpcBaseUrl, requiredQueryStringParameters: "", rpcBaseUrl });
      return AzureOrchestrationClient.fromContext(context);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
