// RealmJoin back-end: Function App (Flex Consumption, Node) with a user-assigned managed identity,
// identity-only storage, Key Vault (RBAC) with the realms' keys, Application Insights on Log
// Analytics, and the admins' workbook. Deploy with `azd up`, or
// `az deployment group create -g <group> -f infra/main.bicep -p environmentName=<name>`.
targetScope = 'resourceGroup'

@minLength(1)
@maxLength(64)
@description('Environment name (azd: AZURE_ENV_NAME); seeds the unique resource names.')
param environmentName string

@description('Region of every resource; must offer the Flex Consumption plan.')
param location string = resourceGroup().location

@description('Accepted token audiences (RJ_AUDIENCES), comma separated: the back-end API app\'s Application ID URI.')
param audiences string = 'api://realmjoin-backend'

@description('Entra tenant of the operators (RJ_OPERATOR_TENANT_ID); the deploying tenant unless given.')
param operatorTenantId string = tenant().tenantId

@description('Client id of the multi-tenant app registration that reads Microsoft Graph in customer tenants (RJ_GRAPH_APP_CLIENT_ID). It must hold a federated identity credential trusting the managed identity (output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID). Empty: every realm uses the local directory.')
param graphAppClientId string = ''

@description('Realms (Entra tenant ids, lowercase) whose rj-sign-/rj-wrap- keys the deployment creates; the operator tenant unless given.')
param keyRealmIds array = [
  toLower(operatorTenantId)
]

@description('Grant the app the one-action custom role that creates Key Vault keys (needed for realms onboarded at run time and for rotation). False leaves Key Vault Crypto User alone.')
param appCreatesKeys bool = true

@description('Public base URL for links the app hands out (RJ_PUBLIC_BASE_URL); empty means https://<default host name>.')
param publicBaseUrl string = ''

@description('NCRONTAB schedule of the reconciliation timer (RJ_RECONCILE_SCHEDULE).')
param reconcileSchedule string = '0 */15 * * * *'

@description('RJ_TABLE_PREFIX: the app\'s tables are <prefix><name>, declared by the storage module with this prefix.')
param tablePrefix string = 'rj'

@description('Node.js of the Function App: 22 (Node 20 reached end of life in April 2026).')
@allowed([
  '22'
])
param nodeVersion string = '22'

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = {
  'azd-env-name': environmentName
  application: 'realmjoin-backend'
}
var functionAppName = 'func-rj-${resourceToken}'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-rj-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-rj-${resourceToken}'
    applicationInsightsName: 'appi-rj-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: 'strj${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: 'app-package'
    tablePrefix: tablePrefix
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: 'key-vault'
  params: {
    name: 'kv-rj-${resourceToken}'
    location: location
    tags: tags
    keyRealmIds: keyRealmIds
  }
}

module roles 'modules/role-assignments.bicep' = {
  name: 'role-assignments'
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appCreatesKeys: appCreatesKeys
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  params: {
    name: functionAppName
    planName: 'plan-rj-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    keyVaultUri: keyVault.outputs.vaultUri
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    audiences: audiences
    operatorTenantId: operatorTenantId
    graphAppClientId: graphAppClientId
    publicBaseUrl: publicBaseUrl
    reconcileSchedule: reconcileSchedule
    appCreatesKeys: appCreatesKeys
    tablePrefix: tablePrefix
    nodeVersion: nodeVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
  }
  // The host reaches storage with the identity as soon as it starts; grant first.
  dependsOn: [
    roles
  ]
}

module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  params: {
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
  }
}

@description('Base URL of the Function App.')
output FUNCTION_URL string = functionApp.outputs.url

@description('JWKS of a realm\'s signing keys: append ?realm=<tenantId>.')
output JWKS_URL string = '${functionApp.outputs.url}/api/agent/v1/keys'

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_FUNCTION_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output RJ_KEY_VAULT_URL string = keyVault.outputs.vaultUri
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId

@description('Subject of the federated identity credential the Graph app registration needs (issuer https://login.microsoftonline.com/<tenant>/v2.0, audience api://AzureADTokenExchange).')
output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
