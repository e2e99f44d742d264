import type { Config } from '../platform/config.ts';
import { tracingSettings } from '../platform/tracing/settings.ts';
import type { Tracing } from '../platform/tracing/tracing.ts';

/**
 * This process's tracing, when the OTEL_* variables turn it on (README, "Tracing"), started before
 * the system so its HTTP servers and clients are instrumented; undefined, with nothing of
 * OpenTelemetry loaded, when they do not. The caller stops it after the system.
 */
export async function startConfiguredTracing(config: Config, serviceName: string): Promise<Tracing | undefined> {
  const settings = tracingSettings(config, serviceName);
  if (settings === undefined) return undefined;
  const { exporterFor, startTracing } = await import('../platform/tracing/tracing.ts');
  return startTracing({ serviceName: settings.serviceName, exporter: exporterFor(settings) });
}
