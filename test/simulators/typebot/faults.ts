/**
 * Fault switches for tests and the sandbox, and the bodies a self-hosted deployment
 * answers with: the viewer's oRPC handler for 500, the reverse proxy in front of it
 * (nginx) for 429, 502 and 503; on the bucket routes, S3's own XML errors for 500 and 503.
 */
import { FaultSwitches, nginxPage, type FaultReply, type FaultStatus } from '../shared/fault-switches.ts';
import { internalError } from './api-errors.ts';
import { s3ErrorXml } from './uploads/s3-errors.ts';

export type { FaultStatus };

export interface TypebotFaults {
  /** The next `count` requests answer `status` (queued after any earlier failNext). */
  failNext(count: number, status: FaultStatus): void;
  /** Every response is delayed by this much (the work is done; only the answer is late). */
  delayMs: number;
  /** Connections are destroyed (connection reset), like a crashed server. */
  down: boolean;
}

export class TypebotFaultSwitches extends FaultSwitches implements TypebotFaults {}

export function faultReply(status: FaultStatus, options: { bucketRoute: boolean; path: string }): FaultReply {
  if (options.bucketRoute && status === 500) {
    return { contentType: 'application/xml', body: s3ErrorXml('InternalError', 'We encountered an internal error. Please try again.', options.path) };
  }
  if (options.bucketRoute && status === 503) {
    return { contentType: 'application/xml', body: s3ErrorXml('SlowDown', 'Please reduce your request rate.', options.path) };
  }
  switch (status) {
    case 500:
      return { contentType: 'application/json', body: JSON.stringify(internalError().toJSON()) };
    case 429:
      return { contentType: 'text/html', body: nginxPage('429 Too Many Requests') };
    case 502:
      return { contentType: 'text/html', body: nginxPage('502 Bad Gateway') };
    case 503:
      return { contentType: 'text/html', body: nginxPage('503 Service Temporarily Unavailable') };
  }
}
