/**
 * Where the system may fetch a file from: one rule for every download (the intake's document
 * URLs, Chatwoot attachments, the bot's media), so a forged URL never makes the server read an
 * internal address and pass it on.
 */

/** `host` is allowed when listed exactly, or when an entry `.example.pt` covers it as a subdomain. */
export function isHostAllowed(host: string, allowedHosts: readonly string[]): boolean {
  const name = host.toLowerCase();
  return allowedHosts.some((entry) => {
    const allowed = entry.toLowerCase();
    return allowed.startsWith('.') ? name.endsWith(allowed) && name.length > allowed.length : name === allowed;
  });
}

/**
 * Why `url` may not be fetched: the address itself (a scheme other than http(s)) or its origin (a
 * host not listed, or credentials in the address); null when it may.
 */
export function refusedSource(url: URL, allowedHosts: readonly string[]): { why: 'address' | 'origin'; reason: string } | null {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { why: 'address', reason: `the scheme ${url.protocol} is not allowed` };
  if (url.username !== '' || url.password !== '') return { why: 'origin', reason: 'an address with credentials is not allowed' };
  if (!isHostAllowed(url.hostname, allowedHosts)) return { why: 'origin', reason: `the host ${url.hostname} is not an allowed source` };
  return null;
}

/** How many redirects a download follows, each checked again. */
export const maxRedirects = 3;
