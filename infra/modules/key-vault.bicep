// Key Vault with RBAC authorization (no access policies) holding the realms' keys. Names follow
// lib/signing: `rj-sign-<realmId>` signs configurations and manifests (PS256), `rj-wrap-<realmId>`
// wraps escrowed secrets (RSA-OAEP-256). The realm id is the tenant id, lowercase.

@minLength(3)
@maxLength(24)
param name string

param location string
param tags object

@description('Realms (tenant ids, lowercase) whose signing and wrapping keys the deployment creates up front.')
param keyRealmIds array

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // Purge protection cannot be turned off again: a deleted signing key stays recoverable for 90 days.
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// ARM creates the first version of a key and leaves an existing key untouched on later deployments,
// so redeploying never rotates. The app adds versions itself (realm key ring, rotation).
resource signingKeys 'Microsoft.KeyVault/vaults/keys@2023-07-01' = [
  for realmId in keyRealmIds: {
    parent: vault
    name: 'rj-sign-${realmId}'
    properties: {
      kty: 'RSA'
      keySize: 3072
      keyOps: [
        'sign'
        'verify'
      ]
      attributes: {
        enabled: true
      }
    }
  }
]

resource wrappingKeys 'Microsoft.KeyVault/vaults/keys@2023-07-01' = [
  for realmId in keyRealmIds: {
    parent: vault
    name: 'rj-wrap-${realmId}'
    properties: {
      kty: 'RSA'
      keySize: 3072
      keyOps: [
        'wrapKey'
        'unwrapKey'
      ]
      attributes: {
        enabled: true
      }
    }
  }
]

output id string = vault.id
output name string = vault.name
output vaultUri string = vault.properties.vaultUri
