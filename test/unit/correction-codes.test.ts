import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { correctionCodeHash, correctionCodeMatches, newCorrectionCode, normalizeCorrectionCode } from '../../platform/correction-codes.ts';

describe('correction codes', () => {
  it('makes codes of eight characters without look-alikes, shown as ABCD-2345, different each time', () => {
    const codes = Array.from({ length: 200 }, () => newCorrectionCode());
    for (const code of codes) assert.match(code, /^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    assert.equal(new Set(codes).size, codes.length);
  });

  it('accepts the code as a driver may type it: any case, spaces, with or without the hyphen', () => {
    const code = newCorrectionCode();
    const stored = correctionCodeHash(code);
    for (const typed of [code, code.toLowerCase(), code.replace('-', ''), ` ${code.slice(0, 4)} ${code.slice(5)} `]) {
      assert.equal(correctionCodeMatches(typed, stored), true, typed);
    }
    assert.equal(normalizeCorrectionCode(' ab-cd 23 '), 'ABCD23');
  });

  it('refuses any other code, an empty one and a malformed stored hash, and never stores the code itself', () => {
    const code = newCorrectionCode();
    const stored = correctionCodeHash(code);
    assert.match(stored, /^[0-9a-f]{64}$/);
    assert.ok(!stored.includes(normalizeCorrectionCode(code)));
    const other = code.startsWith('A') ? `B${code.slice(1)}` : `A${code.slice(1)}`;
    assert.equal(correctionCodeMatches(other, stored), false);
    assert.equal(correctionCodeMatches('', stored), false);
    assert.equal(correctionCodeMatches(code, 'not-a-hash'), false);
  });
});
