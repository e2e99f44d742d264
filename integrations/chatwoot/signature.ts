import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureCheck =
  | { ok: true }
  | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

/**
 * Chatwoot (4.13+) signs webhooks: `X-Chatwoot-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`
 * keyed with the inbox secret, `X-Chatwoot-Timestamp` in unix seconds. Verified on the raw bytes,
 * never on re-serialised JSON; a timestamp outside the tolerance is refused (replay).
 */
export function verifyChatwootSignature(input: {
  secret: string;
  rawBody: Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
  nowSeconds: number;
  toleranceSeconds?: number;
}): SignatureCheck {
  const { timestamp, signature } = input;
  if (timestamp === undefined || signature === undefined) return { ok: false, reason: 'missing' };
  const match = /^sha256=([0-9a-f]{64})$/i.exec(signature.trim());
  if (!/^\d{1,12}$/.test(timestamp) || match === null) return { ok: false, reason: 'malformed' };
  if (Math.abs(input.nowSeconds - Number(timestamp)) > (input.toleranceSeconds ?? 300)) return { ok: false, reason: 'stale' };
  const expected = createHmac('sha256', input.secret).update(`${timestamp}.`).update(input.rawBody).digest();
  const presented = Buffer.from(match[1]!, 'hex');
  return timingSafeEqual(expected, presented) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

/** The headers Chatwoot would send for `rawBody` (simulators and tests sign with this). */
export function signChatwootWebhook(secret: string, rawBody: string | Buffer, timestampSeconds: number): Record<string, string> {
  const timestamp = String(timestampSeconds);
  const hex = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
  return { 'x-chatwoot-timestamp': timestamp, 'x-chatwoot-signature': `sha256=${hex}` };
}
