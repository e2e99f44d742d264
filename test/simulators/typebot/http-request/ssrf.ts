/**
 * Typebot's SSRF guard for HTTP Request blocks (packages/lib/src/ssrf/validateHttpReqUrl.ts):
 * http(s) only; cloud metadata hostnames, loopback, link-local, 0/8, shared 100.64/10,
 * IPv6 unique-local and the RFC 1918 ranges refused, for IP literals and for every address
 * a hostname resolves to; metadata headers refused. SSRF_ALLOWED_HOSTS (exact hostnames)
 * relaxes only the RFC 1918 checks: loopback can never be allowed. The hostname
 * `localhost` passes only when the server runs with NODE_ENV=development.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface SsrfPolicy {
  allowedHosts: readonly string[];
  developmentMode: boolean;
}

const refuse = (what: string): never => {
  throw new Error(`Access to ${what} is not allowed for security reasons.`);
};

const blockedHeaders = ['x-aws-ec2-metadata-token', 'x-aws-ec2-metadata-token-ttl-seconds', 'metadata', 'metadata-flavor'];
const metadataHostnames = ['metadata.google.internal', 'metadata.goog', 'metadata'];
const encodedIpPatterns = [/^\d{8,10}$/, /^0x[0-9a-f]+$/i, /^0[0-7]{3}\./];

function checkIpv4(octets: number[], allowPrivate: boolean): void {
  const [first = 0, second = 0] = octets;
  if (first === 127) refuse('loopback addresses (127.0.0.0/8)');
  if (first === 169 && second === 254) {
    throw new Error('Access to link-local addresses (169.254.0.0/16) is not allowed for security reasons. This range includes cloud metadata services.');
  }
  if (first === 0) refuse('0.0.0.0/8 range');
  if (first === 100 && second >= 64 && second <= 127) refuse('shared address space (100.64.0.0/10)');
  if (allowPrivate) return;
  if (first === 10) refuse('private network range (10.0.0.0/8)');
  if (first === 172 && second >= 16 && second <= 31) refuse('private network range (172.16.0.0/12)');
  if (first === 192 && second === 168) refuse('private network range (192.168.0.0/16)');
}

function checkAddress(address: string, allowPrivate: boolean): void {
  const ip = address.toLowerCase();
  if (isIP(ip) === 4) return checkIpv4(ip.split('.').map(Number), allowPrivate);
  const mapped = /^(?:::ffff:|0:0:0:0:0:ffff:)(.+)$/.exec(ip)?.[1];
  if (mapped !== undefined) {
    if (isIP(mapped) === 4) return checkIpv4(mapped.split('.').map(Number), allowPrivate);
    const [high, low] = mapped.split(':').map((group) => Number.parseInt(group, 16));
    if (high !== undefined && low !== undefined && !Number.isNaN(high) && !Number.isNaN(low)) {
      return checkIpv4([high >> 8, high & 0xff, low >> 8, low & 0xff], allowPrivate);
    }
  }
  if (ip === '::1' || ip === '0:0:0:0:0:0:0:1') refuse('IPv6 loopback (::1)');
  if (/^fe[89ab]/.test(ip)) refuse('IPv6 link-local addresses (fe80::/10)');
  if (/^f[cd]/.test(ip)) refuse('IPv6 unique local addresses (fc00::/7)');
}

/** Throws an Error whose message Typebot shows as "Security validation failed: <message>". */
export async function validateHttpRequestTarget(url: string, headers: Record<string, string>, policy: SsrfPolicy): Promise<void> {
  for (const key of Object.keys(headers)) {
    if (blockedHeaders.some((blocked) => key.toLowerCase().trim().includes(blocked))) {
      throw new Error(`Header "${key}" is not allowed as it could be used to bypass cloud metadata service protections.`);
    }
  }
  if (url.trim() === '') throw new Error('URL is required');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('Invalid URL format');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`Protocol "${parsed.protocol}" is not allowed. Only HTTP and HTTPS are permitted.`);
  }
  const hostname = parsed.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (metadataHostnames.includes(hostname)) throw new Error('Access to cloud metadata services is not allowed for security reasons.');
  if (hostname === 'localhost') {
    if (policy.developmentMode) return;
    refuse('localhost');
  }
  if (encodedIpPatterns.some((pattern) => pattern.test(hostname))) {
    throw new Error('IP address encoding (decimal, hex, octal) is not allowed for security reasons.');
  }
  const allowPrivate = policy.allowedHosts.some((allowed) => allowed.trim().toLowerCase() === hostname);
  if (isIP(hostname) !== 0) return checkAddress(hostname, allowPrivate);
  const answers = await lookup(hostname, { all: true }).catch(() => []);
  for (const answer of answers) checkAddress(answer.address, allowPrivate);
}
