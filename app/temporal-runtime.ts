import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

/**
 * The process's Temporal SDK runtime, installed once before any worker or connection: the SDK's log
 * level, and with `sdkMetricsAddress` (TEMPORAL_SDK_METRICS_ADDRESS) the SDK's own Prometheus
 * exporter there (`/metrics`: task slots, poll latency, schedule-to-start, sticky cache), with
 * `_total` counters and durations in seconds like the rest of the system's metrics.
 */
export function installTemporalRuntime(options: { logLevel: LogLevel; sdkMetricsAddress?: string | undefined }): void {
  Runtime.install({
    logger: new DefaultLogger(options.logLevel),
    ...(options.sdkMetricsAddress === undefined
      ? {}
      : { telemetryOptions: { metrics: { prometheus: { bindAddress: options.sdkMetricsAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true } } } }),
  });
}
