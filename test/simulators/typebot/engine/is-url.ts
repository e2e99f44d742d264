/**
 * The URL check Typebot's file and URL inputs use (validator.js isURL with its defaults):
 * http, https or ftp if a scheme is given, no scheme also fine, no spaces, at most 2083
 * characters, a host that is an IP address or a domain name; the domain needs an
 * alphabetic top-level label unless `requireTld` is off. So "foto.jpg" passes as a URL.
 */
import { isIP } from 'node:net';

const tldPattern = /^([a-z\u00A1-\u00A8\u00AA-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]{2,}|xn[a-z0-9-]{2,})$/i;
const labelPattern = /^[a-z\u00a1-\uffff0-9-]+$/i;

function isDomainName(host: string, requireTld: boolean): boolean {
  const labels = host.split('.');
  if (requireTld) {
    const tld = labels.at(-1) ?? '';
    if (labels.length < 2 || !tldPattern.test(tld) || /\s/.test(tld)) return false;
  }
  return labels.every((part) => part.length > 0 && part.length <= 63 && labelPattern.test(part) && !part.startsWith('-') && !part.endsWith('-') && !/[\uff01-\uff5e]/.test(part));
}

export function isUrl(url: string, { requireTld }: { requireTld: boolean }): boolean {
  if (url === '' || /[\s<>]/.test(url) || url.toLowerCase().startsWith('mailto:') || url.length > 2083) return false;
  let rest = url.split('#')[0]?.split('?')[0] ?? '';
  const schemeSplit = rest.split('://');
  if (schemeSplit.length > 1) {
    if (!['http', 'https', 'ftp'].includes(schemeSplit.shift()?.toLowerCase() ?? '')) return false;
    rest = schemeSplit.join('://');
  } else if (rest.startsWith('//')) return false;
  const authority = rest.split('/')[0] ?? '';
  const hostAndPort = authority.includes('@') ? (authority.split('@').at(-1) ?? '') : authority;
  if (hostAndPort === '') return false;
  const ipv6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostAndPort);
  const [host, port] = ipv6 !== null ? [ipv6[1] ?? '', ipv6[2]] : (hostAndPort.split(':') as [string, string | undefined]);
  if (port !== undefined && (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535)) return false;
  if (ipv6 !== null) return isIP(host) === 6;
  return isIP(host) !== 0 || isDomainName(host, requireTld);
}
