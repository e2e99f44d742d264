import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  documentLabel,
  parseDocumentSource,
  parseRegistrationSubmission,
  summarizeFieldErrors,
} from '../../domain/registration-submission.ts';
import type { RegistrationSubmission } from '../../domain/registration-submission.ts';
import type { FieldErrors } from '../../domain/errors.ts';
import { flattenTypebotPayload } from '../../domain/typebot-payload.ts';

const jpegBase64 = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]).toString('base64');
const pdfBase64 = Buffer.from('%PDF-1.7\n').toString('base64');

const validAnswers = {
  nome_completo: 'Rui Almeida',
  nif: '123 456 789',
  telefone: '912 345 678',
  email: 'rui@Example.pt',
  morada: 'Rua das Flores, 12, 3.º Esq.',
  codigo_postal: '4050262',
  cidade: 'Porto',
  cnh_frente: `data:image/jpeg;base64,${jpegBase64}`,
  cnh_verso: 'https://s3.example.pt/typebot/carta-verso.jpg',
  comprovante_morada: pdfBase64,
};

/** URL objects hold their state privately: compare them through their JSON form (href). */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function submissionOf(flat: Record<string, unknown>): RegistrationSubmission {
  const result = parseRegistrationSubmission(flat);
  assert.ok(result.ok, `expected a submission, got ${JSON.stringify(result)}`);
  return result.value;
}

function fieldErrorsOf(flat: Record<string, unknown>): FieldErrors {
  const result = parseRegistrationSubmission(flat);
  assert.equal(result.ok, false, 'expected field errors');
  return result.ok ? {} : result.fields;
}

function flatten(body: unknown): Record<string, unknown> {
  const result = flattenTypebotPayload(body);
  assert.ok(result.ok);
  return result.value;
}

void describe('parseRegistrationSubmission', () => {
  void it('normalises a valid submission', () => {
    assert.deepEqual(plain(submissionOf(validAnswers)), plain({
      fullName: 'Rui Almeida',
      nif: '123456789',
      phone: '+351912345678',
      email: 'rui@example.pt',
      address: 'Rua das Flores, 12, 3.º Esq.',
      postalCode: '4050-262',
      city: 'Porto',
      documents: {
        licence_front: { type: 'base64', bytes: Buffer.from(jpegBase64, 'base64'), declaredMime: 'image/jpeg' },
        licence_back: { type: 'url', url: 'https://s3.example.pt/typebot/carta-verso.jpg' },
        proof_of_address: { type: 'base64', bytes: Buffer.from(pdfBase64, 'base64') },
      },
    }));
  });

  void it('gives the same submission for the variables list and the flat body', () => {
    const variables = Object.entries(validAnswers).map(([name, value]) => ({ id: `v_${name}`, name, value }));
    const fromList = submissionOf(flatten({ variables }));
    const fromFlat = submissionOf(flatten({ submittedAt: '2026-08-30T10:00:00.000Z', ...validAnswers }));
    assert.deepEqual(plain(fromList), plain(fromFlat));
    assert.equal(fromList.nif, '123456789');
  });

  void it('accepts the older field name "nome" for the full name', () => {
    const { nome_completo: _unused, ...rest } = validAnswers;
    assert.equal(submissionOf({ ...rest, nome: 'Ana Sousa' }).fullName, 'Ana Sousa');
    assert.equal(submissionOf({ ...validAnswers, nome: 'Ana Sousa' }).fullName, 'Rui Almeida');
    assert.deepEqual(Object.keys(fieldErrorsOf({ ...rest, nome: 'Ana' })), ['nome']);
    assert.deepEqual(Object.keys(fieldErrorsOf({ ...rest })), ['nome_completo']);
  });

  void it('drops unknown fields', () => {
    const submission = submissionOf({ ...validAnswers, submittedat: 'x', is_admin: 'true', nome: 'Outro Nome' });
    assert.deepEqual(Object.keys(submission).sort(), [
      'address', 'city', 'documents', 'email', 'fullName', 'nif', 'phone', 'postalCode',
    ]);
    assert.deepEqual(Object.keys(submission.documents).sort(), ['licence_back', 'licence_front', 'proof_of_address']);
  });

  void it('collects every field error, keyed by the Typebot field name', () => {
    const fields = fieldErrorsOf({ ...validAnswers, nif: '123456780', email: 'rui@', cidade: undefined });
    assert.deepEqual(Object.keys(fields), ['nif', 'email', 'cidade']);
    assert.match(fields.nif ?? '', /NIF indicado não é válido/);
    assert.match(fields.email ?? '', /email não é válido/);
    assert.match(fields.cidade ?? '', /«cidade» é obrigatório/);
  });

  void it('reports all ten fields when nothing was answered', () => {
    assert.equal(Object.keys(fieldErrorsOf({})).length, 10);
  });

  void it('treats SQL-looking free text as plain data', () => {
    const morada = "Rua 1'; DROP TABLE registrations; --";
    assert.equal(submissionOf({ ...validAnswers, morada }).address, morada);
  });
});

void describe('parseDocumentSource', () => {
  void it('parses a data URL with its declared MIME type, lower-cased, and extra parameters', () => {
    const result = parseDocumentSource(`data:Application/PDF;name=comprovativo.pdf;base64,${pdfBase64}`, 'proof_of_address');
    assert.deepEqual(result, { ok: true, value: { type: 'base64', bytes: Buffer.from(pdfBase64, 'base64'), declaredMime: 'application/pdf' } });
    assert.deepEqual(parseDocumentSource(`data:;base64,${pdfBase64}`, 'proof_of_address'), {
      ok: true,
      value: { type: 'base64', bytes: Buffer.from(pdfBase64, 'base64') },
    });
  });

  void it('reads "mantido" (any case, spaces around) as the registration\'s current document kept, and nothing else like it', () => {
    for (const raw of ['mantido', ' Mantido ', 'MANTIDO']) assert.deepEqual(parseDocumentSource(raw, 'licence_back'), { ok: true, value: { type: 'kept' } }, raw);
    for (const raw of ['mantido.jpg', 'manter', 'mantido mantido']) assert.notDeepEqual(parseDocumentSource(raw, 'licence_back'), { ok: true, value: { type: 'kept' } }, raw);
  });

  void it('refuses data URLs that are not base64 or whose MIME type is malformed', () => {
    for (const raw of ['data:text/plain,ol%C3%A1', `data:image jpeg;base64,${jpegBase64}`, 'data:image/png;base64']) {
      assert.match(errorOf(raw), /«carta de condução \(frente\)» não é válido\.$/, raw);
    }
  });

  void it('accepts base64 in both alphabets, with or without padding, across several lines', () => {
    for (let size = 1; size <= 40; size += 1) {
      const bytes = randomBytes(size);
      for (const encoded of [bytes.toString('base64'), bytes.toString('base64url')]) {
        const parsed = parseDocumentSource(encoded, 'licence_front');
        assert.ok(parsed.ok && parsed.value.type === 'base64' && parsed.value.bytes.equals(bytes), encoded);
      }
    }
    const wrapped = `${jpegBase64.slice(0, 8)}\r\n${jpegBase64.slice(8)}\n`;
    assert.deepEqual(parseDocumentSource(wrapped, 'licence_front'), {
      ok: true,
      value: { type: 'base64', bytes: Buffer.from(jpegBase64, 'base64') },
    });
  });

  void it('refuses invalid base64', () => {
    const invalid = [
      'aGVsbG8==', // too much padding
      'aGVs=bG8', // data after padding
      'aGVsbG8===',
      'a', // a single character cannot encode a byte
      'aGVsbG9=', // non-zero unused bits: not a canonical encoding
      'aGV*bG8=',
      'a+b-', // standard and URL-safe alphabets mixed
      'olá mundo',
    ];
    for (const raw of invalid) assert.match(errorOf(raw), /não é válido\.$/, raw);
  });

  void it('accepts http and https URLs', () => {
    const result = parseDocumentSource('http://files.example.pt/carta.jpg?x=1', 'licence_back');
    assert.ok(result.ok && result.value.type === 'url');
    assert.equal(result.value.url.href, 'http://files.example.pt/carta.jpg?x=1');
  });

  void it('refuses other URL schemes', () => {
    for (const raw of ['file:///etc/passwd', 'ftp://files.example.pt/carta.jpg', 'javascript:alert(1)', 'C:\\fotos\\carta.jpg']) {
      assert.match(errorOf(raw), /só são aceites ligações http ou https/, raw);
    }
  });

  void it('refuses an http URL that does not parse', () => {
    assert.match(errorOf('https://'), /não é válido\.$/);
    assert.match(errorOf('https://a.pt/x, https://b.pt/y'), /não é válido\.$/);
  });

  void it('asks for the file when it is missing', () => {
    assert.equal(errorOf('  '), 'Falta enviar o ficheiro «carta de condução (frente)».');
  });
});

function errorOf(raw: unknown): string {
  const result = parseDocumentSource(raw, 'licence_front');
  assert.equal(result.ok, false, `expected a refusal, got ${JSON.stringify(result)}`);
  return result.ok ? '' : result.error;
}

void describe('documentLabel', () => {
  void it('names each document in European Portuguese', () => {
    assert.equal(documentLabel('licence_front'), 'carta de condução (frente)');
    assert.equal(documentLabel('licence_back'), 'carta de condução (verso)');
    assert.equal(documentLabel('proof_of_address'), 'comprovativo de morada');
  });
});

void describe('summarizeFieldErrors', () => {
  void it('returns the error itself when there is only one', () => {
    assert.equal(summarizeFieldErrors({ nif: 'O NIF deve ter 9 algarismos.' }), 'O NIF deve ter 9 algarismos.');
  });

  void it('lists the fields in flow order and explains the first', () => {
    const summary = summarizeFieldErrors({
      cidade: 'O campo «cidade» é obrigatório.',
      email: 'O endereço de email não é válido (exemplo: nome@exemplo.pt).',
      nif: 'O NIF deve ter 9 algarismos.',
      cnh_verso: 'Falta enviar o ficheiro «carta de condução (verso)».',
    });
    assert.equal(
      summary,
      'Há 4 campos por corrigir: NIF, email, cidade e carta de condução (verso). O NIF deve ter 9 algarismos.',
    );
  });

  void it('gives a general sentence when there are no errors to show', () => {
    assert.match(summarizeFieldErrors({}), /Não foi possível validar/);
  });
});
