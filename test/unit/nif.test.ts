import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNif } from '../../domain/nif.ts';

/**
 * Independent check digit: the digit that makes the weighted sum of all nine
 * digits (weights 9..1) a multiple of 11; when only "10" would, the digit is 0.
 */
function withCheckDigit(firstEight: string): string {
  const sum = [...firstEight].reduce((total, digit, i) => total + Number(digit) * (9 - i), 0);
  for (let digit = 0; digit <= 9; digit += 1) {
    if ((sum + digit) % 11 === 0) return `${firstEight}${digit}`;
  }
  return `${firstEight}0`;
}

function errorOf(raw: unknown): string {
  const result = parseNif(raw);
  assert.equal(result.ok, false, `expected ${String(raw)} to be refused`);
  return result.ok ? '' : result.error;
}

void describe('parseNif', () => {
  void it('accepts a known valid personal NIF', () => {
    assert.deepEqual(parseNif('123456789'), { ok: true, value: '123456789' });
  });

  void it('accepts personal NIFs starting with 1, 2, 3 and 45 when the check digit is right', () => {
    for (const firstEight of ['10000003', '23456781', '29876543', '30000123', '45123456', '45000000']) {
      const nif = withCheckDigit(firstEight);
      assert.deepEqual(parseNif(nif), { ok: true, value: nif });
    }
  });

  void it('writes the check digit as 0 when 11 - sum mod 11 gives 10 or 11', () => {
    // 10000007: 1×9 + 7×2 = 23, 23 mod 11 = 1, 11 - 1 = 10 -> 0.
    assert.deepEqual(parseNif('100000070'), { ok: true, value: '100000070' });
    // 10000001: 1×9 + 1×2 = 11, 11 mod 11 = 0, 11 - 0 = 11 -> 0.
    assert.deepEqual(parseNif('100000010'), { ok: true, value: '100000010' });
    assert.equal(parseNif('100000071').ok, false);
    assert.equal(parseNif('100000011').ok, false);
  });

  void it('rejects a NIF whose check digit is wrong', () => {
    for (let digit = 0; digit <= 8; digit += 1) {
      assert.match(errorOf(`12345678${digit}`), /não é válido/);
    }
  });

  void it('refuses a company NIF starting with 5 even with a valid check digit, asking for the personal one', () => {
    const companyNif = withCheckDigit('50123456');
    const error = errorOf(companyNif);
    assert.match(error, /empresa/);
    assert.match(error, /NIF pessoal/);
    assert.doesNotMatch(error, /confirme/);
  });

  void it('refuses every other non-person prefix with the company message', () => {
    for (const prefix of ['0', '40', '44', '46', '6', '70', '71', '72', '74', '75', '77', '79', '8', '90', '91', '98', '99']) {
      const nif = withCheckDigit(prefix.padEnd(8, '1'));
      assert.match(errorOf(nif), /não de uma pessoa singular/, `prefix ${prefix}`);
    }
  });

  void it('refuses a NIF that is too short or too long', () => {
    assert.match(errorOf('12345678'), /9 algarismos/);
    assert.match(errorOf('1234567890'), /9 algarismos/);
  });

  void it('refuses letters, including the PT prefix', () => {
    assert.match(errorOf('PT123456789'), /letras/);
    assert.match(errorOf('12345678A'), /letras/);
  });

  void it('tolerates spaces but no other separators', () => {
    assert.deepEqual(parseNif(' 123 456 789 '), { ok: true, value: '123456789' });
    assert.match(errorOf('123.456.789'), /9 algarismos/);
    assert.match(errorOf('123-456-789'), /9 algarismos/);
  });

  void it('asks for the NIF when it is missing', () => {
    for (const raw of [undefined, null, '', '   ', { nif: '123456789' }]) {
      assert.match(errorOf(raw), /Indique o seu NIF/);
    }
  });

  void it('reads the number a Typebot number input sends', () => {
    assert.deepEqual(parseNif(123456789), { ok: true, value: '123456789' });
  });
});

