// Log Analytics workspace and a workspace-based Application Insights component.

param logAnalyticsName string
param applicationInsightsName string
param location string
param tags object

@description('Days Log Analytics keeps the telemetry the admins\' workbook reads.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    // The Functions host sends with Entra auth (APPLICATIONINSIGHTS_AUTHENTICATION_STRING and Monitoring
    // Metrics Publisher), but lib/telemetry/app-insights.ts sends custom events with the connection
    // string alone; turning local auth off would drop every event the workbook reads. Turn it off once
    // the app's exporter is given the managed-identity credential.
    DisableLocalAuth: false
  }
}

output applicationInsightsId string = appInsights.id
output applicationInsightsName string = appInsights.name
output connectionString string = appInsights.properties.ConnectionString
output workspaceId string = workspace.id
