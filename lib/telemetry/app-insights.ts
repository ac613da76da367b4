import * as appInsights from "applicationinsights";
import type { TelemetryDimensions, TelemetryEventName } from "./events.js";
import { sanitizeDimensions, type DependencyCall, type Telemetry } from "./telemetry.js";

let started: appInsights.TelemetryClient | undefined;

// The SDK is process-wide (one OpenTelemetry provider set); several hosts in one process share it.
function startOnce(connectionString: string): appInsights.TelemetryClient {
  if (started !== undefined) return started;
  appInsights
    .setup(connectionString)
    .setAutoCollectRequests(true)
    .setAutoCollectDependencies(true)
    .setAutoCollectExceptions(true)
    .setAutoCollectConsole(false)
    .setAutoCollectPerformance(false, false)
    .setSendLiveMetrics(false)
    .start();
  started = appInsights.defaultClient;
  return started;
}

/**
 * Application Insights (v3, OpenTelemetry based): requests and Azure SDK dependencies (Table, Blob,
 * Key Vault) are collected automatically; Graph calls (fetch) come through dependency(); custom events
 * go through trackEvent with their dimensions sanitized. Never throws from event() or dependency().
 */
export class AppInsightsTelemetry implements Telemetry {
  private readonly client: appInsights.TelemetryClient;

  constructor(connectionString: string) {
    this.client = startOnce(connectionString);
  }

  event<E extends TelemetryEventName>(name: E, dimensions: TelemetryDimensions<E>): void {
    try {
      this.client.trackEvent({ name, properties: sanitizeDimensions(dimensions) });
    } catch {
      // Telemetry must never break a request.
    }
  }

  dependency(call: DependencyCall): void {
    try {
      // The exporter makes an HTTP dependency (name, target, result code) only from http.method + http.url.
      this.client.trackDependency({
        dependencyTypeName: call.type,
        target: call.target,
        name: `${call.method} ${call.path}`,
        data: `https://${call.target}${call.path}`,
        properties: { "http.method": call.method },
        duration: call.durationMs,
        resultCode: call.resultCode,
        success: call.success,
      });
    } catch {
      // Telemetry must never break a request.
    }
  }

  /** Sends what is buffered (on shutdown, and in tests). */
  async flush(): Promise<void> {
    await this.client.flush();
  }
}
