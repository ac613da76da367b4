// The admins' workbook over the app's custom events. Its queries are infra/workbook/queries/*.kql,
// copied verbatim into admin-workbook.json (test/unit/infra checks both agree and name only known events).

param location string
param tags object
param applicationInsightsId string

@description('Name shown in the Azure portal.')
param displayName string = 'RealmJoin operations'

var template = loadTextContent('../workbook/admin-workbook.json')

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // Workbook names must be GUIDs; this one is stable per resource group and component.
  name: guid(resourceGroup().id, applicationInsightsId, 'realmjoin-admin-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: applicationInsightsId
    version: 'Notebook/1.0'
    serializedData: replace(template, '__APPLICATION_INSIGHTS_ID__', applicationInsightsId)
  }
}

output id string = workbook.id
