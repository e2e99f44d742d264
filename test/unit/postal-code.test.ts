import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePostalCode } from '../../domain/postal-code.ts';

function errorOf(raw: unknown): string {
  const result = parsePostalCode(raw);
  assert.equal(result.ok, false, `expected ${String(raw)} to be refused`);
  return result.ok ? '' : result.error;
}

void describe('parsePostalCode', () => {
  void it('accepts the NNNN-NNN form', () => {
    assert.deepEqual(parsePostalCode('4050-262'), { ok: true, value: '4050-262' });
  });

  void it('normalises seven digits without the hyphen to NNNN-NNN', () => {
    assert.deepEqual(parsePostalCode('1000001'), { ok: true, value: '1000-001' });
    assert.deepEqual(parsePostalCode(9000123), { ok: true, value: '9000-123' });
  });

  void it('trims surrounding spaces and tolerates a space instead of the hyphen', () => {
    assert.deepEqual(parsePostalCode('  2750-642 '), { ok: true, value: '2750-642' });
    assert.deepEqual(parsePostalCode('2750 642'), { ok: true, value: '2750-642' });
  });

  void it('refuses a code starting with 0', () => {
    assert.match(errorOf('0123-456'), /não pode começar por 0/);
  });

  void it('refuses codes with the wrong shape', () => {
    for (const raw of ['4050-26', '4050-2622', '405-0262', '4050--262', '4050_262', 'ABCD-EFG', '4050-26a', '40502']) {
      assert.match(errorOf(raw), /formato 1234-567/, raw);
    }
  });

  void it('asks for the postal code when it is missing', () => {
    for (const raw of [undefined, '', '  ', ['4050-262']]) {
      assert.match(errorOf(raw), /Indique o código postal/);
    }
  });
});
