// The app's one identity: every data-plane grant in role-assignments.bicep goes to it, and the app
// authenticates as it (RJ_MANAGED_IDENTITY_CLIENT_ID, AzureWebJobsStorage__clientId).

@description('Name of the user-assigned managed identity.')
param name string

param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
