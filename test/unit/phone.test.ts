import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePortuguesePhone, whatsAppDigits } from '../../domain/phone.ts';

function errorOf(raw: unknown): string {
  const result = parsePortuguesePhone(raw);
  assert.equal(result.ok, false, `expected ${String(raw)} to be refused`);
  return result.ok ? '' : result.error;
}

void describe('parsePortuguesePhone', () => {
  void it('normalises every written form of a mobile number to E.164', () => {
    const forms = [
      '912 345 678', '912345678', '+351 912 345 678', '+351912345678',
      '00351912345678', '00351 912 345 678', '351912345678', '+351-912-345-678', '(+351) 912 345 678',
    ];
    for (const raw of forms) {
      assert.deepEqual(parsePortuguesePhone(raw), { ok: true, value: '+351912345678' }, raw);
    }
  });

  void it('accepts other mobile ranges', () => {
    assert.deepEqual(parsePortuguesePhone('93 123 45 67'), { ok: true, value: '+351931234567' });
    assert.deepEqual(parsePortuguesePhone('968765432'), { ok: true, value: '+351968765432' });
  });

  void it('accepts Lisbon and Porto landlines', () => {
    assert.deepEqual(parsePortuguesePhone('213 456 789'), { ok: true, value: '+351213456789' });
    assert.deepEqual(parsePortuguesePhone('+351 22 345 6789'), { ok: true, value: '+351223456789' });
  });

  void it('refuses premium-rate, toll-free and shared-cost numbers', () => {
    for (const raw of ['760 123 456', '+351 800 123 456', '707 123 456']) {
      assert.match(errorOf(raw), /tarifa especial/, raw);
    }
  });

  void it('refuses foreign numbers', () => {
    for (const raw of ['+34 612 345 678', '0034612345678', '+44 7700 900123']) {
      assert.match(errorOf(raw), /português \(indicativo \+351\)/, raw);
    }
  });

  void it('refuses Portuguese numbers with the wrong number of digits', () => {
    for (const raw of ['91234567', '9123456789', '+351 91234567', '012 345 678']) {
      assert.match(errorOf(raw), /não é válido/, raw);
    }
  });

  void it('refuses letters and stray symbols', () => {
    for (const raw of ['nove um dois', '912 345 67x', '912+345678', '+351 912 345 678 ext 2']) {
      assert.match(errorOf(raw), /só pode ter algarismos/, raw);
    }
  });

  void it('asks for the number when it is missing', () => {
    for (const raw of [undefined, null, '', '  ', true]) {
      assert.match(errorOf(raw), /Indique o seu número de telemóvel/);
    }
  });
});

void describe('whatsAppDigits', () => {
  void it('drops the plus sign of an E.164 number', () => {
    assert.equal(whatsAppDigits('+351912345678'), '351912345678');
  });

  void it('refuses anything that is not E.164', () => {
    for (const raw of ['351912345678', '912 345 678', '+351 912 345 678', '+0351912345678', '']) {
      assert.throws(() => whatsAppDigits(raw), TypeError, raw);
    }
  });
});
