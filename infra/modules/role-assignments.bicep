// Every grant the app's managed identity holds, and nothing else. Assignment names are guid(scope,
// principal, role), so redeploying finds the same assignment instead of failing on a duplicate.
//
// Not granted, on purpose:
// - Storage Blob Data Owner (what the azd Functions templates grant): beyond Contributor it adds POSIX
//   ACL and ownership rights (meaningless without a hierarchical namespace), blob tags and immutability
//   super-user rights; neither the Functions host, Durable Functions nor the app use them. Durable's
//   managed-identity guide asks for Blob, Queue and Table Data Contributor on AzureWebJobsStorage.
// - Storage Blob Delegator: Storage Blob Data Contributor already includes
//   blobServices/generateUserDelegationKey/action, which user-delegation SAS needs; a second role would
//   add nothing.
// - Key Vault Crypto Officer: it adds key delete, purge, import, backup/restore, release and rotation
//   policy rights. The app only needs to create key versions (see keyCreatorRole below).

param principalId string
param storageAccountName string
param keyVaultName string
param applicationInsightsName string

@description('Lets the app create realm keys and key versions (keys/create/action only). Without it the app holds Key Vault Crypto User alone and every realm key must exist before first use.')
param appCreatesKeys bool = true

var roleIds = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultCryptoUser: '12338af0-0e69-4776-bea7-57ae8d297424'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Blobs: host leases and secrets, the Durable task hub's leases and large messages, package content,
// the deployment package (the platform reads it with this identity), and user-delegation keys for the
// short-lived read-only content SAS.
resource blobData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, roleIds.storageBlobDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Queues: the Durable task hub's control and work-item queues. The app itself uses no queues.
resource queueData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, roleIds.storageQueueDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageQueueDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Tables: the app's repositories (created on first use under RJ_TABLE_PREFIX, so account scope) and
// the Durable task hub's history and instance tables.
resource tableData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, roleIds.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageTableDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Keys: read, sign, verify, wrap, unwrap (no create, delete or purge).
resource cryptoUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, roleIds.keyVaultCryptoUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.keyVaultCryptoUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// The realm key ring creates `rj-sign-<realmId>` versions when a realm signs for the first time and
// on every rotation, and the key wrapper creates `rj-wrap-<realmId>` on first use; realms are added at
// run time, so the deployment cannot create all keys up front. No built-in role grants create without
// also granting delete and purge, hence this one-action custom role, assignable only in this group.
resource keyCreatorRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (appCreatesKeys) {
  name: guid(resourceGroup().id, 'realmjoin-key-creator')
  properties: {
    roleName: 'RealmJoin key creator ${uniqueString(resourceGroup().id)}'
    description: 'Create Key Vault keys and key versions; nothing else (RealmJoin realm signing and wrapping keys).'
    type: 'CustomRole'
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [
          'Microsoft.KeyVault/vaults/keys/create/action'
        ]
        notDataActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

resource keyCreator 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (appCreatesKeys) {
  name: guid(vault.id, principalId, 'realmjoin-key-creator')
  scope: vault
  properties: {
    roleDefinitionId: keyCreatorRole.id
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Telemetry ingestion with Entra auth (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, roleIds.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
