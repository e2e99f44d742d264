import { Counter, type Registry } from 'prom-client';
import { AppError, ErrorType } from '../../domain/errors.ts';

/** Why the edge refused a request: the `reason` label of `api_requests_refused_total` (a fixed set). */
export type RefusalReason =
  | 'unauthorized' | 'rate_limited_address' | 'rate_limited_nif' | 'rate_limited_phone' | 'rate_limited_answer_checks' | 'rate_limited_correction_codes'
  | 'busy' | 'body_too_large' | 'temporal_unavailable';

/** A refusal at the API's edge: its metric reason and, when waiting helps, the seconds for Retry-After. */
export class EdgeRefusal extends AppError {
  constructor(type: ErrorType, message: string, readonly reason: RefusalReason, readonly retryAfterSeconds?: number) {
    super(type, message);
  }
}

export const unauthorized = (message: string) => new EdgeRefusal(ErrorType.Unauthorized, message, 'unauthorized');

const metricName = 'api_requests_refused_total';

/** Counts refusals by route template and reason; both labels come from fixed sets, never from the request's data. */
export function refusalCounter(registry: Registry): Counter<'route' | 'reason'> {
  const existing = registry.getSingleMetric(metricName);
  if (existing !== undefined) return existing as Counter<'route' | 'reason'>;
  return new Counter({ name: metricName, help: 'Requests the API refused at its edge, by route template and reason', labelNames: ['route', 'reason'], registers: [registry] });
}
