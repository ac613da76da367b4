// The one storage account: Functions host and Durable task hub (blobs, queues, tables), the app's
// Table repositories and package content, and the Flex Consumption deployment container.
// Identity only: shared keys are off, so no connection string or account-key SAS can exist.

@minLength(3)
@maxLength(24)
param name string

param location string
param tags object

@description('Blob container the Flex Consumption platform deploys the app package from.')
param deploymentContainerName string

@description('RJ_TABLE_PREFIX: every app table is <prefix><name>; the Function App gets the same value.')
param tablePrefix string

// The app's tables, containers and queues, as lib/storage/storage-names.ts lists them (test/unit/infra holds
// the two together). The app also creates each on first use, so a hand-made storage account works too.
var appTables = [
  'Realms'
  'RealmSecrets'
  'Directory'
  'SignatureTemplates'
  'ReplayCache'
  'DevicePins'
  'Signatures'
  'KeyRings'
  'Policies'
  'Devices'
  'DeviceReports'
  'Releases'
  'Packages'
  'Assignments'
  'OnboardingRuns'
  'OnboardingResults'
  'OnboardingHistory'
  'RecoveryKeys'
  'Reconcile'
  'UploadSessions'
  'RetiredDevices'
  'Audit'
]
var appContainers = [
  'packages'
  'content-info'
  'device-reports'
]
// None of the app's own; the Durable extension creates its task hub's queues (and tables, leases) itself.
var appQueues = []

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    isHnsEnabled: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource appContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for container in appContainers: {
    parent: blobService
    name: container
    properties: {
      publicAccess: 'None'
    }
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource appTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [
  for table in appTables: {
    parent: tableService
    name: '${tablePrefix}${table}'
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource appQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for queue in appQueues: {
    parent: queueService
    name: queue
  }
]

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output deploymentContainerName string = deploymentContainer.name
