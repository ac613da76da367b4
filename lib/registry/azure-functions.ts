// @azure/functions ships a webpack CommonJS bundle whose named exports Node's ESM loader cannot see,
// so the runtime values are taken from its default export, once, here.
import azureFunctions from "@azure/functions";

export const { app, HttpRequest, HttpResponse, InvocationContext } = azureFunctions;
