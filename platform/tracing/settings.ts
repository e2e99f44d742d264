import type { Config } from '../config.ts';

/** Where this process's spans go, when tracing is on. */
export interface TracingSettings {
  serviceName: string;
  exporter: 'otlp' | 'console';
  /** The OTLP/HTTP traces URL; undefined: the SDK's default, http://localhost:4318/v1/traces. */
  url: string | undefined;
}

type TracingConfig = Pick<
  Config,
  'OTEL_SDK_DISABLED' | 'OTEL_TRACES_EXPORTER' | 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_SERVICE_NAME'
>;

/**
 * Whether this process traces, from the standard OpenTelemetry variables. Off by default: on with
 * `OTEL_TRACES_EXPORTER=otlp` (or `console`), or when an OTLP endpoint is given and
 * `OTEL_TRACES_EXPORTER` is unset; `OTEL_TRACES_EXPORTER=none` or `OTEL_SDK_DISABLED=true` keep it
 * off whatever else is set. The service is `OTEL_SERVICE_NAME`, else the process's own name.
 */
export function tracingSettings(config: TracingConfig, defaultServiceName: string): TracingSettings | undefined {
  if (config.OTEL_SDK_DISABLED || config.OTEL_TRACES_EXPORTER === 'none') return undefined;
  const url = config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
    ?? (config.OTEL_EXPORTER_OTLP_ENDPOINT === undefined ? undefined : `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`);
  const exporter = config.OTEL_TRACES_EXPORTER ?? (url === undefined ? undefined : 'otlp');
  if (exporter === undefined) return undefined;
  return { serviceName: config.OTEL_SERVICE_NAME ?? defaultServiceName, exporter, url };
}
