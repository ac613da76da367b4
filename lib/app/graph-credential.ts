import { ClientAssertionCredential, type TokenCredential } from "@azure/identity";

/**
 * The multi-tenant app's credential in one customer tenant, without secrets: the managed identity's
 * token for api://AzureADTokenExchange is the client assertion of the app registration (a federated
 * identity credential on the app trusts the managed identity).
 */
export function federatedAppCredential(appClientId: string, managedIdentity: TokenCredential): (tenantId: string) => TokenCredential {
  const assertion = async (): Promise<string> => {
    const token = await managedIdentity.getToken("api://AzureADTokenExchange/.default");
    if (token === null) throw new Error("the managed identity returned no token for the federated credential");
    return token.token;
  };
  const cache = new Map<string, TokenCredential>();
  return (tenantId) => {
    let credential = cache.get(tenantId);
    if (credential === undefined) {
      credential = new ClientAssertionCredential(tenantId, appClientId, assertion);
      cache.set(tenantId, credential);
    }
    return credential;
  };
}
