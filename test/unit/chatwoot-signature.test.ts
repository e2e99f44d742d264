import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { signChatwootWebhook, verifyChatwootSignature } from '../../integrations/chatwoot/signature.ts';

const secret = 'test-inbox-secret';
// Rails escapes <, > and & inside JSON strings; the signature covers those exact bytes.
const rawBody = Buffer.from('{"event":"message_created","content":"Ol\\u00e1 \\u003cb\\u003e"}');
const now = 1_781_700_000;

function headerFor(body: Buffer, timestamp: number, key = secret) {
  return `sha256=${createHmac('sha256', key).update(`${timestamp}.${body.toString('utf8')}`).digest('hex')}`;
}

describe('Chatwoot webhook signature', () => {
  it('accepts the HMAC-SHA256 of "timestamp.raw body" with the inbox secret', () => {
    const result = verifyChatwootSignature({ secret, rawBody, timestamp: String(now), signature: headerFor(rawBody, now), nowSeconds: now + 10 });
    assert.deepEqual(result, { ok: true });
  });

  it('signs exactly as it verifies', () => {
    const headers = signChatwootWebhook(secret, rawBody, now);
    assert.equal(headers['x-chatwoot-signature'], headerFor(rawBody, now));
  });

  it('refuses a body changed after signing, even re-serialised to the same JSON', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(rawBody.toString('utf8'))));
    const result = verifyChatwootSignature({ secret, rawBody: reserialised, timestamp: String(now), signature: headerFor(rawBody, now), nowSeconds: now });
    assert.deepEqual(result, { ok: false, reason: 'mismatch' });
  });

  it('refuses another secret, a stale timestamp, and missing or malformed headers', () => {
    const check = (timestamp: string | undefined, signature: string | undefined, nowSeconds = now) =>
      verifyChatwootSignature({ secret, rawBody, timestamp, signature, nowSeconds });
    assert.equal(check(String(now), headerFor(rawBody, now, 'other-secret')).ok, false);
    assert.deepEqual(check(String(now), headerFor(rawBody, now), now + 301), { ok: false, reason: 'stale' });
    assert.deepEqual(check(undefined, headerFor(rawBody, now)), { ok: false, reason: 'missing' });
    assert.deepEqual(check(String(now), 'md5=abc'), { ok: false, reason: 'malformed' });
    assert.deepEqual(check('yesterday', headerFor(rawBody, now)), { ok: false, reason: 'malformed' });
  });
});
