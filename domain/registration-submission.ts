/**
 * A driver's whole registration, as the Typebot flow submits it, parsed into
 * one typed value. Every field is checked and every error collected, keyed by
 * the Typebot field name, so the driver can fix them all in one go.
 *
 * Input: the record from `flattenTypebotPayload` (keys already lower-cased).
 * Documents are only recognised here (data URL, http(s) URL or bare base64);
 * fetching, sizes and real content types are the API's job.
 */
import { z } from 'zod';
import { parseEmail, parseFreeText, parseFullName } from './contact-fields.ts';
import type { FieldErrors } from './errors.ts';
import { parseNif } from './nif.ts';
import { parsePortuguesePhone } from './phone.ts';
import { parsePostalCode } from './postal-code.ts';
import { answerText, fail, ok } from './result.ts';
import type { Parsed } from './result.ts';
import { documentLabels, documentSourceErrors } from './texts/documents.ts';
import { fieldLabels, submissionErrors } from './texts/intake.ts';
import { flattenTypebotPayload } from './typebot-payload.ts';

import type { CorrectableItem, DocumentKind } from './registration-items.ts';

export { documentKinds, type DocumentKind } from './registration-items.ts';
export const documentFieldOf: Record<DocumentKind, string> = {
  licence_front: 'cnh_frente',
  licence_back: 'cnh_verso',
  proof_of_address: 'comprovante_morada',
};

/**
 * What a correction sends for a document it does not redo (the flow fills it in from the API's answer):
 * the registration's current file stays. Only its own chat or its correction code may say so.
 */
export const keptDocumentAnswer = 'mantido';

export type DocumentSource =
  /** Bare base64 or a data URL's payload (standard or URL-safe alphabet, may hold whitespace), decoded. */
  | { type: 'base64'; bytes: Buffer; declaredMime?: string }
  | { type: 'url'; url: URL }
  /** The registration's current document, kept (`keptDocumentAnswer`). */
  | { type: 'kept' };

export interface RegistrationSubmission {
  fullName: string;
  nif: string;
  phone: string;
  email: string;
  address: string;
  postalCode: string;
  city: string;
  documents: Record<DocumentKind, DocumentSource>;
}

/** Each part a reviewer may ask to redo, by the form's answer (Typebot variable) that holds it. */
export const formFieldOfItem: Record<CorrectableItem, string> = {
  ...documentFieldOf,
  full_name: 'nome_completo', nif: 'nif', phone: 'telefone', email: 'email', address: 'morada', postal_code: 'codigo_postal', city: 'cidade',
};

/** The document's name as the driver knows it (domain/texts/documents.ts). */
export function documentLabel(kind: DocumentKind): string {
  return documentLabels[kind];
}

/**
 * Strict base64 (standard or URL-safe, never mixed; padding only at the end; unused trailing bits
 * zero), decoded once. Node's decoder skips or stops at what is not base64, so the input was clean
 * exactly when every character counted: the output has the length the input promises, and the
 * last group re-encodes to itself.
 */
function decodeStrictBase64(text: string): Buffer | undefined {
  // Line breaks are rare (some encoders wrap at 76): only look for whitespace when the text is not clean as is.
  return decodeCompactBase64(text) ?? (/\s/.test(text) ? decodeCompactBase64(text.replace(/\s+/g, '')) : undefined);
}

function decodeCompactBase64(data: string): Buffer | undefined {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  const body = data.slice(0, data.length - padding);
  if (body.length === 0 || body.length % 4 === 1 || (padding > 0 && data.length % 4 !== 0)) return undefined;
  const urlSafe = body.includes('-') || body.includes('_');
  if (urlSafe && (body.includes('+') || body.includes('/'))) return undefined;
  const encoding = urlSafe ? 'base64url' : 'base64';
  const bytes = Buffer.from(body, encoding);
  if (bytes.length !== Math.floor((body.length * 3) / 4)) return undefined;
  const lastGroup = body.slice(body.length - (body.length % 4 || 4));
  return Buffer.from(lastGroup, encoding).toString(encoding).replace(/=+$/, '') === lastGroup ? bytes : undefined;
}

const mimePattern = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

/** `data:<mime>[;param]*;base64,<data>`; the header is short, so only it is matched. */
function parseDataUrl(text: string): DocumentSource | undefined {
  const comma = text.indexOf(',');
  if (comma < 0 || comma > 300) return undefined;
  const [mime = '', ...params] = text.slice('data:'.length, comma).split(';');
  if (params.pop()?.trim().toLowerCase() !== 'base64') return undefined;
  const declaredMime = mime.trim().toLowerCase();
  if (declaredMime !== '' && !mimePattern.test(declaredMime)) return undefined;
  const bytes = decodeStrictBase64(text.slice(comma + 1));
  if (bytes === undefined) return undefined;
  return declaredMime === '' ? { type: 'base64', bytes } : { type: 'base64', bytes, declaredMime };
}

export function parseDocumentSource(raw: unknown, kind: DocumentKind): Parsed<DocumentSource> {
  const label = documentLabels[kind];
  const text = answerText(raw)?.trim() ?? '';
  if (text === '') return fail(documentSourceErrors.missing(label));
  // Lower-cased only when it could be the word: a document's base64 is megabytes.
  if (text.length === keptDocumentAnswer.length && text.toLowerCase() === keptDocumentAnswer) return ok({ type: 'kept' });
  const invalid = fail(documentSourceErrors.invalid(label));
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    const bytes = decodeStrictBase64(text);
    return bytes === undefined ? invalid : ok({ type: 'base64', bytes });
  }
  if (scheme === 'data') {
    const source = parseDataUrl(text);
    return source === undefined ? invalid : ok(source);
  }
  if (scheme !== 'http' && scheme !== 'https') {
    return fail(documentSourceErrors.notHttp(label));
  }
  // The URL parser would percent-encode spaces; a real link has none (", " joins several files).
  const url = !/\s/.test(text) && URL.canParse(text) ? new URL(text) : undefined;
  return url === undefined || url.hostname === '' ? invalid : ok({ type: 'url', url });
}

/** A zod field that runs one of the domain validators and reports its sentence. */
function field<T>(parse: (raw: unknown) => Parsed<T>) {
  return z.unknown().transform((raw, ctx) => {
    const parsed = parse(raw);
    if (parsed.ok) return parsed.value;
    ctx.addIssue(parsed.error);
    return z.NEVER;
  });
}

/**
 * The form's text answers by their Typebot name, each with its validator: the one source for the
 * whole submission and for each answer checked as it is given (`validateAnswer`).
 */
export const answerValidators = {
  nome_completo: parseFullName,
  nif: parseNif,
  telefone: parsePortuguesePhone,
  email: parseEmail,
  morada: (raw: unknown) => parseFreeText(raw, fieldLabels.morada, 200),
  codigo_postal: parsePostalCode,
  cidade: (raw: unknown) => parseFreeText(raw, fieldLabels.cidade, 80),
} satisfies Record<string, (raw: unknown) => Parsed<string>>;
export type AnswerField = keyof typeof answerValidators;

export const isAnswerField = (name: string): name is AnswerField => Object.hasOwn(answerValidators, name);

/** The document a form field holds (`cnh_frente` → licence_front), if it holds one. */
export function documentKindOfField(name: string): DocumentKind | undefined {
  return (Object.keys(documentFieldOf) as DocumentKind[]).find((kind) => documentFieldOf[kind] === name);
}

/** One answer checked as the whole submission would check it: its normalised value, or the pt-PT sentence. */
export function validateAnswer(name: AnswerField, raw: unknown): Parsed<string> {
  return answerValidators[name](raw);
}

const submissionSchema = z.object({
  nome_completo: field(answerValidators.nome_completo),
  nif: field(answerValidators.nif),
  telefone: field(answerValidators.telefone),
  email: field(answerValidators.email),
  morada: field(answerValidators.morada),
  codigo_postal: field(answerValidators.codigo_postal),
  cidade: field(answerValidators.cidade),
  cnh_frente: field((raw) => parseDocumentSource(raw, 'licence_front')),
  cnh_verso: field((raw) => parseDocumentSource(raw, 'licence_back')),
  comprovante_morada: field((raw) => parseDocumentSource(raw, 'proof_of_address')),
});

const fieldOrder: readonly string[] = ['nome_completo', 'nome', ...Object.keys(submissionSchema.shape)];

function isBlank(value: unknown): boolean {
  return value === undefined || (typeof value === 'string' && value.trim() === '');
}

export function parseRegistrationSubmission(
  flat: Record<string, unknown>,
): { ok: true; value: RegistrationSubmission } | { ok: false; fields: FieldErrors } {
  // `nome` is an older name of the field; `nome_completo` wins when both are filled.
  const nameKey = isBlank(flat.nome_completo) && !isBlank(flat.nome) ? 'nome' : 'nome_completo';
  const result = submissionSchema.safeParse({ ...flat, nome_completo: flat[nameKey] });
  if (!result.success) {
    const fields: FieldErrors = {};
    for (const issue of result.error.issues) {
      const key = String(issue.path[0]) === 'nome_completo' ? nameKey : String(issue.path[0]);
      fields[key] ??= issue.message;
    }
    return { ok: false, fields };
  }
  const answers = result.data;
  return {
    ok: true,
    value: {
      fullName: answers.nome_completo,
      nif: answers.nif,
      phone: answers.telefone,
      email: answers.email,
      address: answers.morada,
      postalCode: answers.codigo_postal,
      city: answers.cidade,
      documents: {
        licence_front: answers.cnh_frente,
        licence_back: answers.cnh_verso,
        proof_of_address: answers.comprovante_morada,
      },
    },
  };
}

/** The fields with an error, in the form's order (the order the flow asks them). */
function fieldsInFormOrder(fields: FieldErrors): string[] {
  const rank = (key: string) => (fieldOrder.includes(key) ? fieldOrder.indexOf(key) : fieldOrder.length);
  return Object.keys(fields).sort((a, b) => rank(a) - rank(b));
}

/** The first of the form's questions to answer again, in the form's order: where the flow takes the driver after a refusal. */
export function firstFieldToFix(fields: FieldErrors): string | undefined {
  const first = fieldsInFormOrder(fields).find((key) => fieldOrder.includes(key));
  // `nome` is the older name of the full name's answer.
  return first === 'nome' ? 'nome_completo' : first;
}

/** One message for the driver: the only error, or the fields to fix and the first error in flow order. */
export function summarizeFieldErrors(fields: FieldErrors): string {
  const keys = fieldsInFormOrder(fields);
  const first = keys[0];
  if (first === undefined) return submissionErrors.notValidated;
  if (keys.length === 1) return fields[first] ?? '';
  return submissionErrors.fieldsToFix(keys.map((key) => (fieldLabels as Record<string, string | undefined>)[key] ?? key), fields[first] ?? '');
}

/** What an intake body says: the answers without the documents' contents, and the submission parsed from them. */
export type IntakeReading =
  | { ok: false; error: string }
  | {
    ok: true;
    /** Every answer but the documents (who sent it: `sessao_conversa`, `codigo_correcao`; the NIF and phone as typed). */
    answers: Record<string, unknown>;
    submission: ReturnType<typeof parseRegistrationSubmission>;
  };

/** A Typebot body read as far as it can be without I/O; `error` when it is not a registration form's shape. */
export function readIntake(body: unknown): IntakeReading {
  const flat = flattenTypebotPayload(body);
  if (!flat.ok) return flat;
  const documentFields = new Set(Object.values(documentFieldOf));
  const answers = Object.fromEntries(Object.entries(flat.value).filter(([key]) => !documentFields.has(key)));
  return { ok: true, answers, submission: parseRegistrationSubmission(flat.value) };
}
