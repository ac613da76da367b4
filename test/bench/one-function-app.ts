// The cold-start baseline: the smallest @azure/functions app, one HTTP function.
import azureFunctions from "@azure/functions";

azureFunctions.app.http("hello", { methods: ["GET"], authLevel: "anonymous", handler: async () => ({ body: "hello" }) });
