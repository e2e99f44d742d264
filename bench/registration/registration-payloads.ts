/**
 * Typebot's flat request body for benchmark registration `i`: the documents as data URLs and a
 * NIF and mobile number of its own, so no registration is a duplicate of another.
 */
import type { RegistrationDocuments } from './bench-documents.ts';

const firstNames = ['Rui', 'Ana', 'João', 'Marta', 'Pedro', 'Inês', 'Tiago', 'Sofia'];
const surnames = ['Almeida', 'Ferreira', 'Costa', 'Rodrigues', 'Sousa', 'Martins', 'Pereira'];

/** A valid natural-person NIF (prefix 2) derived from `i`; distinct for i < 10 000 000. */
export function nifOf(i: number): string {
  const body = `2${String(i).padStart(7, '0')}`;
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * (9 - index), 0);
  const check = 11 - (sum % 11);
  return `${body}${check >= 10 ? 0 : check}`;
}

/** A Portuguese mobile number as a driver types it ("912 345 678"), distinct for i < 10 000 000. */
export function mobileOf(i: number): string {
  const digits = `91${String(i).padStart(7, '0')}`;
  return `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`;
}

const dataUrlCache = new WeakMap<Buffer, Buffer>();

/** A JSON string literal holding the data URL, encoded once per document: the bench measures the server, not itself. */
function dataUrlLiteral(mime: string, bytes: Buffer): Buffer {
  let literal = dataUrlCache.get(bytes);
  if (literal === undefined) {
    literal = Buffer.from(`"data:${mime};base64,${bytes.toString('base64')}"`, 'latin1');
    dataUrlCache.set(bytes, literal);
  }
  return literal;
}

/** The request body as bytes: the small fields through JSON.stringify, the documents spliced in (base64 needs no escaping). */
export function registrationBody(i: number, documents: RegistrationDocuments): Buffer {
  const name = `${firstNames[i % firstNames.length]!} ${surnames[Math.floor(i / firstNames.length) % surnames.length]!}`;
  const fields = JSON.stringify({
    nome_completo: name,
    nif: nifOf(i),
    telefone: mobileOf(i),
    email: `motorista.${i}@example.pt`,
    morada: `Rua das Flores, ${1 + (i % 250)}, 3.º Esq.`,
    codigo_postal: '4050-262',
    cidade: 'Porto',
    submittedAt: new Date().toISOString(),
  });
  return Buffer.concat([
    Buffer.from(`${fields.slice(0, -1)},"cnh_frente":`),
    dataUrlLiteral('image/jpeg', documents.licenceFront),
    Buffer.from(',"cnh_verso":'),
    dataUrlLiteral('image/jpeg', documents.licenceBack),
    Buffer.from(',"comprovante_morada":'),
    dataUrlLiteral('application/pdf', documents.proofOfAddress),
    Buffer.from('}'),
  ]);
}
