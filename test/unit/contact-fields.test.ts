import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEmail, parseFreeText, parseFullName } from '../../domain/contact-fields.ts';
import type { Parsed } from '../../domain/result.ts';

function errorOf(result: Parsed<string>): string {
  assert.equal(result.ok, false, `expected a refusal, got ${JSON.stringify(result)}`);
  return result.ok ? '' : result.error;
}

void describe('parseEmail', () => {
  void it('trims and lower-cases the domain only', () => {
    assert.deepEqual(parseEmail('  Rui.Almeida@Example.PT '), { ok: true, value: 'Rui.Almeida@example.pt' });
  });

  void it('accepts plus addressing, subdomains and punycode domains', () => {
    for (const raw of ['rui+registo@mail.example.pt', "o'neil@sapo.pt", 'ana@xn--caf-dma.pt']) {
      assert.deepEqual(parseEmail(raw), { ok: true, value: raw });
    }
  });

  void it('refuses addresses with broken syntax', () => {
    const broken = [
      'rui', 'rui@', '@example.pt', 'rui@@example.pt', 'rui almeida@example.pt', '.rui@example.pt',
      'rui.@example.pt', 'rui..almeida@example.pt', 'rui@localhost', 'rui@-example.pt', 'rui@example.p',
      'rui@example..pt', 'joão@example.pt', 'rui@exemplo.pt; DROP TABLE drivers',
    ];
    for (const raw of broken) assert.match(errorOf(parseEmail(raw)), /não é válido/, raw);
  });

  void it('refuses an address longer than 254 characters', () => {
    const long = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(59)}.pt`;
    assert.equal(long.length, 255);
    assert.match(errorOf(parseEmail(long)), /máximo 254/);
    assert.equal(parseEmail(long.slice(1)).ok, true);
  });

  void it('refuses a local part longer than 64 characters', () => {
    assert.match(errorOf(parseEmail(`${'a'.repeat(65)}@example.pt`)), /não é válido/);
  });

  void it('asks for the address when it is missing', () => {
    assert.match(errorOf(parseEmail('  ')), /Indique o seu endereço de email/);
  });
});

void describe('parseFullName', () => {
  void it('trims and collapses spaces', () => {
    assert.deepEqual(parseFullName('  Maria   da\tConceição  '), { ok: true, value: 'Maria da Conceição' });
  });

  void it('accepts accented letters, hyphens and apostrophes', () => {
    const name = "Ana-Rita D'Ávila Gonçalves";
    assert.deepEqual(parseFullName(name), { ok: true, value: name });
    assert.deepEqual(parseFullName('João O’Neill'), { ok: true, value: 'João O’Neill' });
  });

  void it('normalises decomposed accents to their composed form', () => {
    assert.deepEqual(parseFullName('Jose\u0301 Simo\u0303es'), { ok: true, value: 'José Simões' });
  });

  void it('refuses a name with only one word', () => {
    assert.match(errorOf(parseFullName('Rui')), /nome próprio e apelido/);
  });

  void it('refuses digits', () => {
    assert.match(errorOf(parseFullName('Rui Almeida 2')), /algarismos/);
  });

  void it('refuses symbols, including SQL-looking text', () => {
    for (const raw of ["Robert'); DROP TABLE drivers;--", 'Rui <b>Almeida</b>', 'Rui - Almeida', "Rui 'Almeida"]) {
      assert.match(errorOf(parseFullName(raw)), /só pode ter letras/, raw);
    }
  });

  void it('refuses a name longer than 120 characters', () => {
    assert.match(errorOf(parseFullName(`Ana ${'b'.repeat(117)}`)), /máximo 120/);
    assert.equal(parseFullName(`Ana ${'b'.repeat(116)}`).ok, true);
  });

  void it('asks for the name when it is missing', () => {
    assert.match(errorOf(parseFullName(undefined)), /Indique o seu nome completo/);
  });
});

void describe('parseFreeText', () => {
  void it('trims the text and turns line breaks and tabs into single spaces', () => {
    assert.deepEqual(parseFreeText('  Rua das Flores, 12\r\n3.º Esq.\t', 'morada', 200), {
      ok: true,
      value: 'Rua das Flores, 12 3.º Esq.',
    });
  });

  void it('keeps SQL-looking text verbatim: it is only data', () => {
    const address = "Rua D'Ajuda 1'; DROP TABLE registrations; --";
    assert.deepEqual(parseFreeText(address, 'morada', 200), { ok: true, value: address });
  });

  void it('refuses control characters and invisible direction overrides', () => {
    for (const raw of ['Porto\u0000', 'Por\u0007to', 'Porto\u007F', 'Porto \u202Eotrop']) {
      assert.match(errorOf(parseFreeText(raw, 'cidade', 80)), /«cidade» tem caracteres que não são permitidos/);
    }
  });

  void it('refuses text longer than the limit, naming the field', () => {
    assert.match(errorOf(parseFreeText('a'.repeat(81), 'cidade', 80)), /«cidade» é demasiado longo \(máximo 80/);
    assert.equal(parseFreeText('ã'.repeat(80), 'cidade', 80).ok, true);
  });

  void it('says which field is required when it is empty', () => {
    assert.match(errorOf(parseFreeText(' \n ', 'morada', 200)), /«morada» é obrigatório/);
  });
});
