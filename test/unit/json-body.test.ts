/**
 * The intake's JSON body as the check threads parse it (platform/documents/check-document-worker.ts):
 * the nesting limit counts brackets outside strings only, strings skipped to their real closing quote;
 * prototype-poisoning keys are refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maxJsonDepth, parseJsonBody } from '../../platform/documents/check-document-worker.ts';

const parse = (text: string) => parseJsonBody(Buffer.from(text));
const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

describe('the intake body parse', () => {
  it('counts nesting outside strings, up to the limit and not one past it', () => {
    assert.equal(parse(`{"a": ${nested(maxJsonDepth - 1)}}`).ok, true);
    assert.deepEqual(parse(`{"a": ${nested(maxJsonDepth)}}`), { ok: false, reason: 'too-deep' });
  });

  it('skips a string to its real closing quote: an escaped quote does not end it, an escaped backslash before the quote does', () => {
    // Brackets after an escaped quote are still inside the string.
    assert.equal(parse(`{"a": "x\\"${'['.repeat(100)}", "b": 1}`).ok, true);
    // After "x\\" the string has ended: the nesting that follows counts.
    assert.deepEqual(parse(`{"a": "x\\\\", "b": ${nested(maxJsonDepth)}}`), { ok: false, reason: 'too-deep' });
    // A long string (a document's base64) followed by nesting within the limit.
    assert.deepEqual(parse(`{"doc": "${'QUJD'.repeat(250_000)}", "b": ${nested(3)}}`).ok, true);
  });

  it('refuses prototype-poisoning keys at any depth, and keeps other values as they are', () => {
    assert.deepEqual(parse('{"__proto__": {"isAdmin": true}}'), { ok: false, reason: 'invalid' });
    assert.deepEqual(parse('{"a": [{"constructor": {"prototype": {"isAdmin": true}}}]}'), { ok: false, reason: 'invalid' });
    assert.deepEqual(parse('{"constructor": "x", "nif": "123"}'), { ok: true, value: { constructor: 'x', nif: '123' } });
    assert.deepEqual(parse('5'), { ok: true, value: 5 });
    assert.deepEqual(parse(' '), { ok: false, reason: 'empty' });
    assert.deepEqual(parse('{"a": '), { ok: false, reason: 'invalid' });
  });
});
