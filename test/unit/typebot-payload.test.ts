import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flattenTypebotPayload } from '../../domain/typebot-payload.ts';

function valueOf(body: unknown): Record<string, unknown> {
  const result = flattenTypebotPayload(body);
  assert.ok(result.ok, `expected a record, got ${JSON.stringify(result)}`);
  return result.value;
}

function errorOf(body: unknown): string {
  const result = flattenTypebotPayload(body);
  assert.equal(result.ok, false, `expected a refusal, got ${JSON.stringify(result)}`);
  return result.ok ? '' : result.error;
}

void describe('flattenTypebotPayload', () => {
  void it('flattens the variables list into name -> value', () => {
    const body = {
      variables: [
        { id: 'v_nif', name: 'nif', value: '123456789' },
        { id: 'v_nome', name: 'Nome_Completo', value: 'Rui Almeida' },
      ],
    };
    assert.deepEqual(valueOf(body), { nif: '123456789', nome_completo: 'Rui Almeida' });
  });

  void it('keeps a list inside a list as it is, however deep, for the validators to refuse', () => {
    const deep = JSON.parse(`{"nif": ${'['.repeat(100_000)}"123456789"${']'.repeat(100_000)}}`) as unknown;
    assert.equal(valueOf(deep).nif, '');
    assert.deepEqual(valueOf({ nif: ['', ['123456789']] }), { nif: '' });
  });

  void it('takes the first non-empty item of a list value, reads numbers as text and leaves null out', () => {
    const body = {
      variables: [
        { name: 'cnh_frente', value: ['', '  ', 'https://s3.example.pt/a.jpg', 'https://s3.example.pt/b.jpg'] },
        { name: 'nif', value: 123456789 },
        { name: 'email', value: null },
        { name: 'cidade' },
        { name: 'morada', value: [] },
      ],
    };
    assert.deepEqual(valueOf(body), { cnh_frente: 'https://s3.example.pt/a.jpg', nif: '123456789' });
  });

  void it('reads a flat body with trimmed, lower-cased keys', () => {
    const body = { submittedAt: '2026-08-30T10:00:00.000Z', '  NIF ': '123456789', Cidade: 'Porto' };
    assert.deepEqual(valueOf(body), { submittedat: '2026-08-30T10:00:00.000Z', nif: '123456789', cidade: 'Porto' });
  });

  void it('gives the same record for both shapes', () => {
    const flat = { nif: '123456789', cidade: 'Porto', telefone: 912345678 };
    const variables = { variables: Object.entries(flat).map(([name, value], i) => ({ id: `v${i}`, name, value })) };
    assert.deepEqual(valueOf(variables), valueOf(flat));
  });

  void it('keeps objects and booleans for the field validators to refuse', () => {
    assert.deepEqual(valueOf({ nif: { value: '1' }, email: true }), { nif: { value: '1' }, email: true });
  });

  void it('refuses anything that is not a JSON object', () => {
    for (const body of [null, undefined, 'nif=123', 42, [], [{ name: 'nif', value: '1' }]]) {
      assert.match(errorOf(body), /objeto JSON/, JSON.stringify(body));
    }
  });

  void it('refuses a variables list with an item without a name', () => {
    assert.match(errorOf({ variables: [{ name: 'nif', value: '1' }, { value: '2' }] }), /sem nome/);
    assert.match(errorOf({ variables: ['nif'] }), /sem nome/);
  });

  void it('refuses the same field sent twice with different values', () => {
    assert.match(errorOf({ NIF: '123456789', nif: '987654321' }), /«nif» aparece mais de uma vez/);
  });

  void it('lets a filled value win over an empty duplicate, in either order', () => {
    assert.deepEqual(valueOf({ NIF: '', nif: '123456789' }), { nif: '123456789' });
    assert.deepEqual(valueOf({ NIF: '123456789', nif: '' }), { nif: '123456789' });
  });

  void it('keeps a "__proto__" key as plain data', () => {
    const record = valueOf(JSON.parse('{"__proto__": {"polluted": true}, "nif": "1"}'));
    assert.equal(Object.getPrototypeOf(record), Object.prototype);
    assert.deepEqual(Object.keys(record).sort(), ['__proto__', 'nif']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
