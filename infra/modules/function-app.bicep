// The Function App on Flex Consumption, running as the user-assigned identity, and its app settings.
// `appSettings` below is the only place app settings are declared: test/unit/infra reads it and holds
// it together with lib/config/settings.ts (every name known to the schema, every required one set).

param name string
param planName string
param location string
param tags object

@description('Resource id of the user-assigned managed identity.')
param identityId string
param identityClientId string

param storageAccountName string
param storageBlobEndpoint string
param deploymentContainerName string
param keyVaultUri string
param applicationInsightsConnectionString string

@description('Accepted token audiences (RJ_AUDIENCES), comma separated: the back-end API app\'s Application ID URI.')
param audiences string

@description('Entra tenant of the operators (RJ_OPERATOR_TENANT_ID).')
param operatorTenantId string

@description('Client id of the multi-tenant Graph app registration (RJ_GRAPH_APP_CLIENT_ID); empty serves every realm from the local directory.')
param graphAppClientId string

@description('Public base URL the app builds links from; empty means the app\'s default host name.')
param publicBaseUrl string

@description('NCRONTAB schedule of the reconciliation timer (RJ_RECONCILE_SCHEDULE).')
param reconcileSchedule string

@description('Whether the app may create Key Vault keys (RJ_KEY_VAULT_CREATE_KEYS); false: it adopts the keys the deployment made.')
param appCreatesKeys bool

@description('RJ_TABLE_PREFIX, the same prefix the storage module declared the tables with.')
param tablePrefix string

@allowed([
  '22'
])
param nodeVersion string

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  // azd finds the service's deployment target by this tag.
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
}

var defaultBaseUrl = 'https://${site.properties.defaultHostName}'

// One object, literal names only (no union(), no loops): the consistency test reads these keys.
var appSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  RJ_MANAGED_IDENTITY_CLIENT_ID: identityClientId
  RJ_KEY_VAULT_URL: keyVaultUri
  RJ_KEY_VAULT_CREATE_KEYS: appCreatesKeys ? 'true' : 'false'
  RJ_TABLE_PREFIX: tablePrefix
  RJ_AUDIENCES: audiences
  RJ_OPERATOR_TENANT_ID: operatorTenantId
  // The app reads an empty value as absent (lib/config drops empty settings).
  RJ_GRAPH_APP_CLIENT_ID: graphAppClientId
  RJ_PUBLIC_BASE_URL: empty(publicBaseUrl) ? defaultBaseUrl : publicBaseUrl
  RJ_DEV_IDENTITY_PROVIDER: 'false'
  RJ_RECONCILE_SCHEDULE: reconcileSchedule
}

resource appSettingsConfig 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
}

// Deployments authenticate with Entra ID; no publishing user names and passwords.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
output url string = defaultBaseUrl
