import * as appInsights from "applicationinsights";
import type { TelemetryDimensions, TelemetryEventName } from "./events.js";
import { sanitizeDimensions, type Telemetry } from "./telemetry.js";

/**
 * Application Insights (v3, OpenTelemetry based): requests and dependencies (Table, Blob, Key Vault,
 * Graph over HTTP) are collected automatically; custom events go through trackEvent.
 */
export class AppInsightsTelemetry implements Telemetry {
  private readonly client: appInsights.TelemetryClient;

  constructor(connectionString: string) {
    appInsights
      .setup(connectionString)
      .setAutoCollectRequests(true)
      .setAutoCollectDependencies(true)
      .setAutoCollectExceptions(true)
      .setAutoCollectConsole(false)
      .setSendLiveMetrics(false)
      .start();
    this.client = appInsights.defaultClient;
  }

  event<E extends TelemetryEventName>(name: E, dimensions: TelemetryDimensions<E>): void {
    try {
      this.client.trackEvent({ name, properties: sanitizeDimensions(dimensions) });
    } catch {
      // Telemetry must never break a request.
    }
  }

  /** Sends what is buffered (on shutdown). */
  async flush(): Promise<void> {
    await this.client.flush();
  }
}
