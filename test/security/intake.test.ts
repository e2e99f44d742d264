/**
 * Security suite, the registration intake (`POST /drivers/register-typebot[/]`): each row one bad
 * input, answered in pt-PT (Typebot shows `error` to the driver), with no registration row for the
 * row's NIF or phone, no document file, no workflow and no WhatsApp message left behind.
 * The intake runs with INTAKE_SHARED_SECRET, as production should; rows send it unless they test it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { workflowIdOf } from '../../domain/registration.ts';
import { correctionDialogue, submissionErrors } from '../../domain/texts/intake.ts';
import { stateQuery } from '../../workflows/driver-registration.ts';
import { hostileDocuments, makeDecompressionBombPng, makeDeflateBombPdf, makeJpeg, makeObjectStreamFlood, makePdf, makePng } from '../fixtures/documents.ts';
import { correctionCodeIn, dataUrl, flatPayload, randomMobile, randomNif, sampleDocuments, variablesPayload, type SampleDocuments } from '../support/registration-payloads.ts';
import { eventually, useTestSystem } from '../support/test-system.ts';
import { changedBy, runRows, send, type RawRequest, type RawResponse, type Row } from './bad-input-table.ts';

const secret = `intake-secret-${randomUUID()}`;
const reviewerToken = `reviewer-${randomUUID()}`;

interface Context {
  nif: string;
  /** As typed in the form ("912 345 678"). */
  mobile: string;
  /** As stored (E.164). */
  phone: string;
}

/** Real and hostile documents, made once for the file. */
interface Files extends SampleDocuments {
  jpeg: Buffer;
  png: Buffer;
  pdf: Buffer;
  pdfWithZip: Buffer;
  zipWithPdf: Buffer;
  jpegWithScript: Buffer;
  /** 10,000 `/Type /ObjStm` dictionaries, each with its own small stream, and a page. */
  objectStreamFlood: Buffer;
  /** One page and an object stream inflating to 64 MB of zeros (~64 KB on the wire). */
  deflateBomb: Buffer;
}

/** A registration made before the rows, as a driver would have: its form, id, phone and (asked to correct) code. */
interface Seeded {
  payload: Record<string, unknown>;
  id: string;
  /** WhatsApp digits, as the simulator records the messages sent. */
  digits: string;
  code?: string;
}

/** Typebot's storage, for document links: `/<name>` serves `served[name]` with whatever type it claims. */
function fileHost(served: Record<string, { type: string; bytes: Buffer }>): Server {
  return createServer((request, response) => {
    const url = request.url ?? '';
    if (url === '/away') return void response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    const file = served[url];
    if (file === undefined) return void response.writeHead(404).end('not found');
    response.writeHead(200, { 'content-type': file.type }).end(file.bytes);
  });
}

describe('security: the registration intake refuses every bad input in pt-PT and changes nothing', () => {
  let files: Files;
  let host: Server;
  let hostUrl = '';

  before(async () => {
    const samples = await sampleDocuments();
    files = {
      ...samples,
      jpeg: await makeJpeg({ width: 320, height: 200 }),
      png: await makePng({ width: 320, height: 200 }),
      pdf: await makePdf({ pages: 1 }),
      pdfWithZip: await hostileDocuments.pdfWithZip(),
      zipWithPdf: await hostileDocuments.zipWithPdf(),
      jpegWithScript: await hostileDocuments.jpegWithScript(),
      objectStreamFlood: makeObjectStreamFlood(10_000 * 38, { streams: 'closed', pages: 1 }),
      deflateBomb: makeDeflateBombPdf(64 * 1024 * 1024),
    };
    host = fileHost({
      '/carta.jpg': { type: 'image/jpeg', bytes: hostileDocuments.html() },
      '/carta.svg.jpg': { type: 'image/jpeg', bytes: hostileDocuments.svgWithScript() },
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    hostUrl = `http://127.0.0.1:${(host.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>((resolve) => host.close(() => resolve())));

  // DOCUMENT_MAX_MB small so a too-large body costs little; 127.0.0.1 is "Typebot's storage" (fileHost).
  const system = useTestSystem({
    INTAKE_SHARED_SECRET: secret,
    DOCUMENT_MAX_MB: '2',
    DOCUMENT_URL_ALLOWED_HOSTS: '127.0.0.1',
    REVIEWER_TOKENS: `sec-intake:${reviewerToken}`,
  });

  const route = 'POST /drivers/register-typebot/';
  const checkRoute = 'POST /drivers/validate-typebot/';
  const correctionRoute = 'POST /drivers/correction-typebot/';
  const token = { 'x-intake-token': secret };

  /**
   * Registrations already there when the rows run (issue 11, findings 3 and 8): one asked to correct
   * its NIF (so it is also found by its phone), another asked to correct its email (its code is
   * "another registration's code"), one approved and one under review. Each is settled (documents
   * prepared, the driver told) before the rows, so the probes see them still.
   */
  let seeded: { toCorrect: Seeded; other: Seeded; approved: Seeded; pending: Seeded };
  const asReviewer = (method: string, url: string, body?: unknown) =>
    send(system().system.apiUrl!, { method, path: url, headers: { authorization: `Bearer ${reviewerToken}` }, ...(body === undefined ? {} : { body }) });
  async function seed(decide: (id: string) => Promise<RawResponse> | undefined, told: RegExp | undefined): Promise<Seeded> {
    const sut = system();
    const payload = flatPayload(files, { telefone: randomMobile() });
    const digits = `351${String(payload.telefone).replace(/\s/g, '')}`;
    const created = await send(sut.system.apiUrl!, intake(payload));
    assert.equal(created.status, 201, created.text);
    const id = created.body.registration_id as string;
    await eventually(async () => ((await asReviewer('GET', `/drivers/${id}`)).body.status === 'pending_approval' ? true : undefined), 20_000, 'the seeded registration under review');
    const decided = await decide(id);
    if (decided !== undefined) assert.equal(decided.status, 200, decided.text);
    if (told === undefined) return { payload, id, digits };
    const message = await eventually(async () => sut.wpp.sent.find((sent) => sent.phone === digits && told.test(sent.body)), 15_000, 'the driver told of the decision');
    // The send's activity ends after it (the plain code dropped once the message has gone): then the row is at rest.
    const handle = sut.system.temporal.workflow.getHandle(workflowIdOf(id));
    await eventually(async () => ((await handle.query(stateQuery)).driverNotified ? true : undefined), 15_000, 'the decision told');
    return { payload, id, digits, ...(/código de correção/.test(message.body) ? { code: correctionCodeIn(message.body) } : {}) };
  }
  before(async () => {
    const correction = (items: string[]) => (id: string) => asReviewer('POST', `/drivers/${id}/request-correction`, { items, message: 'Confirme, por favor.' });
    const [toCorrect, other, approved, pending] = await Promise.all([
      seed(correction(['nif']), /código de correção/),
      seed(correction(['email']), /código de correção/),
      seed((id) => asReviewer('POST', `/drivers/${id}/approve`), /./),
      seed(() => undefined, undefined),
    ]);
    seeded = { toCorrect, other, approved, pending };
  });
  /** The seeded registrations' rows and documents, every column. */
  const seededState = async () => {
    const ids = seeded === undefined ? [] : Object.values(seeded).map((each) => each.id);
    const db = system().system.db;
    const rows = await db.query('SELECT * FROM registrations WHERE id = ANY($1) ORDER BY id', [ids]);
    const documents = await db.query('SELECT * FROM registration_documents WHERE registration_id = ANY($1) ORDER BY id', [ids]);
    return { rows: rows.rows, documents: documents.rows };
  };
  /** What a stranger is told for any registered NIF, whatever the registration's status. */
  const stranger = { success: false, error: submissionErrors.alreadyRegistered, fields: { nif: submissionErrors.alreadyRegistered }, campo: 'nif' };
  const exactly = (text: string) => new RegExp(`^${text.replace(/[$()*+.?[\\\]^{|}]/g, '\\$&')}$`);
  /** A seeded registration's form sent from the row's phone, with `overrides`: a stranger who knows its NIF. */
  const theirs = (which: () => Seeded, c: Context, overrides: Record<string, unknown> = {}) =>
    intake({ ...which().payload, telefone: c.mobile, email: 'intruso@example.pt', codigo_postal: '1000-001', ...overrides });
  /** A whole registration with the row's NIF and phone, `overrides` on top. */
  const payload = (context: Context, overrides: Record<string, unknown> = {}) =>
    flatPayload(files, { nif: context.nif, telefone: context.mobile, ...overrides });
  /** The intake, with the secret unless `headers` replace it. */
  const intake = (body: unknown, headers: Record<string, string> = token, path = '/drivers/register-typebot/'): RawRequest =>
    ({ method: 'POST', path, headers, body });
  /** The answer check, with the secret unless `headers` replace it. */
  const check = (body: unknown, headers: Record<string, string> = token): RawRequest => intake(body, headers, '/drivers/validate-typebot/');
  /** The correction's opening, with the secret unless `headers` replace it. */
  const correction = (body: unknown, headers: Record<string, string> = token): RawRequest => intake(body, headers, '/drivers/correction-typebot/');
  /** `value` is called when the row runs: the documents are made in `before`. */
  const withDocument = (field: string, value: () => string) => (context: Context) => intake(payload(context, { [field]: value() }));
  /** A JSON text with the registration's fields first, then `tail` (raw JSON members) appended inside the object. */
  const rawJson = (context: Context, tail: string) => {
    const text = JSON.stringify(payload(context));
    return intake(`${text.slice(0, -1)},${tail}}`);
  };
  const manyFields = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`campo_${index}`, `valor ${index}`]));
  const nested = (depth: number) => `${'['.repeat(depth)}"123456789"${']'.repeat(depth)}`;

  const unauthorized = /^Pedido não autorizado\.$/;
  const rows: Row<Context>[] = [
    // Who may post: Typebot with the shared secret, nobody else.
    { route, name: 'without X-Intake-Token', request: (c) => intake(payload(c), {}), expect: { status: 401, errorMatches: unauthorized } },
    { route, name: 'with a wrong X-Intake-Token', request: (c) => intake(payload(c), { 'x-intake-token': 'segredo-errado' }), expect: { status: 401, errorMatches: unauthorized } },
    { route, name: 'with the secret plus one character', request: (c) => intake(payload(c), { 'x-intake-token': `${secret}x` }), expect: { status: 401, errorMatches: unauthorized } },
    { route, name: 'with the secret minus its last character', request: (c) => intake(payload(c), { 'x-intake-token': secret.slice(0, -1) }), expect: { status: 401, errorMatches: unauthorized } },
    { route, name: 'with an empty X-Intake-Token', request: (c) => intake(payload(c), { 'x-intake-token': '' }), expect: { status: 401, errorMatches: unauthorized } },
    { route, name: 'with the secret in the query string instead of the header', request: (c) => intake(payload(c), {}, `/drivers/register-typebot/?token=${secret}`), expect: { status: 401, errorMatches: unauthorized } },
    { route, name: 'with the secret as a bearer token instead of X-Intake-Token', request: (c) => intake(payload(c), { authorization: `Bearer ${secret}` }), expect: { status: 401, errorMatches: unauthorized } },
    { route, name: "with a reviewer's token (another credential) as X-Intake-Token", request: (c) => intake(payload(c), { 'x-intake-token': reviewerToken }), expect: { status: 401, errorMatches: unauthorized } },
    { route: 'POST /drivers/register-typebot', name: 'without the trailing slash and without X-Intake-Token', request: (c) => intake(payload(c), {}, '/drivers/register-typebot'), expect: { status: 401, errorMatches: unauthorized } },

    // Who may touch an existing registration: its own chat, or its current correction code; any one else
    // gets the one answer (the same for every status), and the registration, its documents and files stay.
    { route, name: "a stranger's form with the NIF of a registration asked to correct (no code)", request: (c) => theirs(() => seeded.toCorrect, c), expect: { status: 409, errorMatches: exactly(submissionErrors.alreadyRegistered) } },
    { route, name: 'the NIF of a registration asked to correct, from an unknown conversation session', request: (c) => theirs(() => seeded.toCorrect, c, { sessao_conversa: randomUUID() }), expect: { status: 409, errorMatches: exactly(submissionErrors.alreadyRegistered) } },
    { route, name: 'the NIF of a registration asked to correct, with a wrong correction code', request: (c) => theirs(() => seeded.toCorrect, c, { codigo_correcao: 'AAAA-2222' }), expect: { status: 403, errorMatches: exactly(submissionErrors.correctionCodeRefused) } },
    { route, name: "the NIF of a registration asked to correct, with another registration's valid code", request: (c) => theirs(() => seeded.toCorrect, c, { codigo_correcao: seeded.other.code }), expect: { status: 403, errorMatches: exactly(submissionErrors.correctionCodeRefused) } },
    { route, name: 'a registration asked to correct, resubmitted identical by a stranger (its own phone too)', request: () => intake(seeded.toCorrect.payload), expect: { status: 409, answer: stranger } },
    {
      route, name: 'the NIF of an approved, a pending and a correction registration: the same answer, byte for byte',
      request: async (c) => {
        const before = await seededState();
        const [approved, pending] = [await send(system().system.apiUrl!, theirs(() => seeded.approved, c)), await send(system().system.apiUrl!, theirs(() => seeded.pending, c))];
        assert.equal(approved.text, pending.text, 'approved and pending: one body');
        assert.equal(approved.status, pending.status);
        assert.deepEqual(await seededState(), before, 'the approved and the pending registration unchanged');
        return theirs(() => seeded.toCorrect, c);
      },
      expect: { status: 409, answer: stranger },
    },
    // The secret is checked before the body is read (finding 2): whatever the body, no secret is a 401.
    { route, name: 'invalid JSON and no X-Intake-Token (the secret is checked before the body is read)', request: () => intake('{"nif": "1234', {}), expect: { status: 401, errorMatches: unauthorized } },
    { route, name: 'no X-Intake-Token, declaring a 50 MB body and sending 1 KB (answered without reading it)', request: () => intake(' '.repeat(1024), { 'content-length': String(50 * 1024 * 1024) }), expect: { status: 401, errorMatches: unauthorized } },
    { route, name: 'a wrong X-Intake-Token, declaring a 50 MB body and sending 1 KB', request: () => intake(' '.repeat(1024), { 'x-intake-token': `${secret}x`, 'content-length': String(50 * 1024 * 1024) }), expect: { status: 401, errorMatches: unauthorized } },

    // A correction keeps the documents it does not redo ("mantido"): only the registration's own chat or code may say so.
    { route, name: 'a new registration that "keeps" its documents (there are none to keep)', request: (c) => intake(payload(c, { cnh_frente: 'mantido', cnh_verso: 'mantido', comprovante_morada: 'mantido' })), expect: { status: 422, errorMatches: /Há 3 campos por corrigir.*Falta enviar o ficheiro «carta de condução \(frente\)»/ } },
    { route, name: "a stranger's form with the NIF of a registration asked to correct, keeping its documents", request: (c) => theirs(() => seeded.toCorrect, c, { cnh_frente: 'mantido', cnh_verso: 'mantido', comprovante_morada: 'mantido' }), expect: { status: 409, errorMatches: exactly(submissionErrors.alreadyRegistered) } },
    { route, name: 'the NIF of a registration asked to correct, keeping its documents, with a wrong correction code', request: (c) => theirs(() => seeded.toCorrect, c, { cnh_frente: 'mantido', codigo_correcao: 'AAAA-2222' }), expect: { status: 403, errorMatches: exactly(submissionErrors.correctionCodeRefused) } },

    // The correction's opening, which the flow calls before asking anything: the same secret; only a chat or a code that names a correction.
    { route: correctionRoute, name: 'without X-Intake-Token', request: () => correction({ codigo_correcao: seeded.other.code }, {}), expect: { status: 401, errorMatches: unauthorized } },
    { route: correctionRoute, name: 'with a wrong X-Intake-Token', request: () => correction({ codigo_correcao: seeded.other.code }, { 'x-intake-token': `${secret}x` }), expect: { status: 401, errorMatches: unauthorized } },
    { route: correctionRoute, name: 'neither a chat session nor a code', request: () => correction({}), expect: { status: 403, errorMatches: exactly(submissionErrors.correctionCodeRefused) } },
    { route: correctionRoute, name: 'a wrong correction code', request: () => correction({ codigo_correcao: 'AAAA-2222' }), expect: { status: 403, errorMatches: exactly(submissionErrors.correctionCodeRefused) } },
    { route: correctionRoute, name: "a registration's NIF instead of its code", request: () => correction({ codigo_correcao: String(seeded.toCorrect.payload.nif) }), expect: { status: 403, errorMatches: exactly(submissionErrors.correctionCodeRefused) } },
    { route: correctionRoute, name: 'an unknown conversation session', request: () => correction({ sessao_conversa: randomUUID() }), expect: { status: 404, errorMatches: exactly(correctionDialogue.nothingToCorrect) } },
    { route: correctionRoute, name: 'an unknown conversation session with a valid code (the chat decides)', request: () => correction({ sessao_conversa: randomUUID(), codigo_correcao: seeded.other.code }), expect: { status: 404, errorMatches: exactly(correctionDialogue.nothingToCorrect) } },
    { route: correctionRoute, name: 'the code as an object', request: () => correction({ codigo_correcao: { $ne: '' } }), expect: { status: 400, errorMatches: /dados em falta ou inválidos/ } },
    { route: correctionRoute, name: 'invalid JSON', request: () => correction('{"codigo_correcao": "AAAA'), expect: { status: 400, errorMatches: /^O pedido não é um JSON válido\.$/ } },

    // The answer check the flow calls after each answer: the same secret, nothing stored, a field the form has.
    { route: checkRoute, name: 'without X-Intake-Token', request: (c) => check({ campo: 'nif', valor: c.nif }, {}), expect: { status: 401, errorMatches: unauthorized } },
    { route: checkRoute, name: 'with a wrong X-Intake-Token', request: (c) => check({ campo: 'nif', valor: c.nif }, { 'x-intake-token': `${secret}x` }), expect: { status: 401, errorMatches: unauthorized } },
    { route: checkRoute, name: 'invalid JSON', request: () => check('{"campo": "nif",'), expect: { status: 400, errorMatches: /^O pedido não é um JSON válido\.$/ } },
    { route: checkRoute, name: 'no field named', request: (c) => check({ valor: c.nif }), expect: { status: 400, errorMatches: /dados em falta ou inválidos/ } },
    { route: checkRoute, name: 'a field the form does not have', request: () => check({ campo: 'iban', valor: 'PT50 0000 0000' }), expect: { status: 400, errorMatches: /não faz parte do formulário/ } },
    { route: checkRoute, name: 'a __proto__ field', request: () => check('{"campo": "__proto__", "valor": {"isAdmin": true}}'), expect: { status: 400, errorMatches: /não é um JSON válido|não faz parte do formulário/ } },
    { route: checkRoute, name: 'the value nested 5,000 arrays deep', request: () => check(`{"campo": "nif", "valor": ${'['.repeat(5_000)}"123456789"${']'.repeat(5_000)}}`), expect: { status: 200, answer: { valido: false, valor: '' } } },
    { route: checkRoute, name: 'a document at a host no setting allows', request: () => check({ campo: 'cnh_frente', valor: 'http://localhost:1/admin/secret.jpg' }), expect: { status: 200, answer: { valido: false, valor: '' } } },
    { route: checkRoute, name: 'a document given as a file: URL', request: () => check({ campo: 'cnh_frente', valor: 'file:///etc/passwd' }), expect: { status: 200, answer: { valido: false, valor: '' } } },
    { route: checkRoute, name: 'a body over 64 KB', request: () => check({ campo: 'morada', valor: 'Rua '.repeat(20_000) }), expect: { status: 413, errorMatches: /demasiado grande/ } },

    // The request's shape.
    { route, name: 'invalid JSON', request: () => intake('{"nif": "123456789",'), expect: { status: 400, errorMatches: /^O pedido não é um JSON válido\.$/ } },
    { route, name: 'an empty body declared as JSON', request: () => intake(''), expect: { status: 400, errorMatches: /^O pedido chegou vazio\.$/ } },
    { route, name: 'form-encoded instead of JSON', request: (c) => intake(`nif=${c.nif}`, { ...token, 'content-type': 'application/x-www-form-urlencoded' }), expect: { status: 415, errorMatches: /tem de ser enviado em JSON/ } },
    { route, name: 'XML instead of JSON', request: (c) => intake(`<registo><nif>${c.nif}</nif></registo>`, { ...token, 'content-type': 'application/xml' }), expect: { status: 415, errorMatches: /tem de ser enviado em JSON/ } },
    { route, name: 'a JSON array instead of an object', request: (c) => intake([payload(c)]), expect: { status: 400, errorMatches: /deve ser um objeto JSON/ } },
    { route, name: 'JSON null', request: () => intake('null'), expect: { status: 400, errorMatches: /deve ser um objeto JSON|não é um JSON válido/ } },
    { route, name: 'a JSON string', request: (c) => intake(JSON.stringify(JSON.stringify(payload(c)))), expect: { status: 400, errorMatches: /deve ser um objeto JSON/ } },
    { route, name: 'a variables list with an element without a name', request: (c) => intake({ variables: [...variablesPayload(payload(c)).variables, { id: 'x', value: 'y' }] }), expect: { status: 400, errorMatches: /elemento sem nome/ } },
    { route, name: 'a __proto__ key (prototype poisoning)', request: (c) => rawJson(c, '"__proto__": {"nif": "123456789", "isAdmin": true}'), expect: { status: 400, errorMatches: /não é um JSON válido/ } },
    { route, name: 'a constructor.prototype key (prototype poisoning)', request: (c) => rawJson(c, '"constructor": {"prototype": {"isAdmin": true}}'), expect: { status: 400, errorMatches: /não é um JSON válido/ } },
    { route, name: 'a body over the limit (too large)', request: (c) => intake(payload(c, { cnh_frente: dataUrl('image/jpeg', Buffer.alloc(10 * 1024 * 1024, 0x41)) })), expect: { status: 413, errorMatches: /demasiado grande/ } },
    { route, name: 'a body over the limit sent in chunks, without Content-Length', request: (c) => intake(payload(c, { cnh_frente: dataUrl('image/jpeg', Buffer.alloc(10 * 1024 * 1024, 0x41)) }), { ...token, 'transfer-encoding': 'chunked' }), expect: { status: 413, errorMatches: /demasiado grande/ } },

    // Deep nesting, many fields, huge numbers, duplicate keys, invalid UTF-8.
    { route, name: 'the NIF nested 100,000 arrays deep', request: (c) => rawJson(c, `"nif": ${nested(100_000)}`), expect: { status: 400, errorMatches: /demasiados níveis/ } },
    { route, name: 'an unknown field nested 100,000 objects deep, and a bad NIF', request: (c) => rawJson(c, `"extra": ${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}, "nif": "123456788"`), expect: { status: 400, errorMatches: /demasiados níveis/ } },
    { route, name: 'an unknown field nested 65 objects deep (one past the limit), and a bad NIF', request: (c) => rawJson(c, `"extra": ${'{"a":'.repeat(64)}1${'}'.repeat(64)}, "nif": "123456788"`), expect: { status: 400, errorMatches: /demasiados níveis/ } },
    { route, name: 'an unknown field nested 63 objects deep (at the limit), and a bad NIF', request: (c) => rawJson(c, `"extra": ${'{"a":'.repeat(63)}1${'}'.repeat(63)}, "nif": "123456788"`), expect: { status: 422, errorMatches: /NIF indicado não é válido/ } },
    { route, name: 'a string full of brackets (not nesting), and a bad NIF', request: (c) => rawJson(c, `"extra": "${'[{'.repeat(5_000)}", "nif": "123456788"`), expect: { status: 422, errorMatches: /NIF indicado não é válido/ } },
    { route, name: '10,000 extra fields and no NIF', request: (c) => intake({ ...manyFields(10_000), ...payload(c), nif: '' }), expect: { status: 422, errorMatches: /Indique o seu NIF/ } },
    { route, name: '10,000 variables and a bad NIF', request: (c) => intake(variablesPayload({ ...manyFields(10_000), ...payload(c), nif: '123456788' })), expect: { status: 422, errorMatches: /NIF indicado não é válido/ } },
    { route, name: 'the NIF as a number beyond double precision (1e400)', request: (c) => rawJson(c, '"nif": 1e400'), expect: { status: 422, errorMatches: /Indique o seu NIF/ } },
    { route, name: 'the NIF as a 30-digit integer', request: (c) => rawJson(c, '"nif": 123456789012345678901234567890'), expect: { status: 422, errorMatches: /NIF/ } },
    { route, name: 'the phone as a huge number', request: (c) => rawJson(c, '"telefone": 9.99e99'), expect: { status: 422, errorMatches: /telefone/ } },
    { route, name: 'the NIF as an object (operator injection)', request: (c) => intake(payload(c, { nif: { $gt: '' } })), expect: { status: 422, errorMatches: /NIF/ } },
    { route, name: 'the NIF as a boolean', request: (c) => intake(payload(c, { nif: true })), expect: { status: 422, errorMatches: /NIF/ } },
    { route, name: 'SQL in the NIF', request: (c) => intake(payload(c, { nif: "1' OR '1'='1" })), expect: { status: 422, errorMatches: /NIF só tem algarismos/ } },
    { route, name: 'a duplicate "nif" key whose last value is invalid (last one wins)', request: (c) => rawJson(c, '"nif": "123456788"'), expect: { status: 422, errorMatches: /NIF indicado não é válido/ } },
    { route, name: 'the NIF twice, as "nif" and "NIF", with different values', request: (c) => rawJson(c, `"NIF": "${randomNif()}"`), expect: { status: 400, errorMatches: /«nif» aparece mais de uma vez/ } },
    { route, name: 'the NIF twice in the variables list, with different values', request: (c) => intake({ variables: [...variablesPayload(payload(c)).variables, { name: 'nif', value: randomNif() }] }), expect: { status: 400, errorMatches: /«nif» aparece mais de uma vez/ } },
    { route, name: 'invalid UTF-8 inside the name', request: (c) => intake(Buffer.concat([Buffer.from(JSON.stringify(payload(c)).slice(0, -1) + ',"nome_completo": "Rui '), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from(' Almeida"}')])), expect: { status: 422, errorMatches: /nome só pode ter letras/ } },
    { route, name: 'invalid UTF-8 between the JSON tokens', request: (c) => intake(Buffer.concat([Buffer.from(JSON.stringify(payload(c)).slice(0, -1)), Buffer.from([0xff, 0xfe]), Buffer.from('}')])), expect: { status: 400, errorMatches: /não é um JSON válido/ } },
    { route, name: 'an overlong UTF-8 "/" (0xC0 0xAF) inside the NIF', request: (c) => intake(Buffer.concat([Buffer.from(JSON.stringify(payload(c)).slice(0, -1) + ',"nif": "1234'), Buffer.from([0xc0, 0xaf]), Buffer.from('678"}')])), expect: { status: 422, errorMatches: /NIF/ } },

    // Header injection and control characters in the fields.
    { route, name: 'a name with CR/LF and a header after it', request: (c) => intake(payload(c, { nome_completo: 'Rui Almeida\r\nSet-Cookie: sessao=roubada' })), expect: { status: 422, errorMatches: /nome/ } },
    { route, name: 'an email with CR/LF and a Bcc header', request: (c) => intake(payload(c, { email: 'rui@example.pt\r\nBcc: todos@example.pt' })), expect: { status: 422, errorMatches: /email não é válido/ } },
    { route, name: 'a NUL byte in the address', request: (c) => intake(payload(c, { morada: 'Rua das Flores, 12\u0000' })), expect: { status: 422, errorMatches: /morada.*caracteres que não são permitidos/ } },
    { route, name: 'a right-to-left override in the city', request: (c) => intake(payload(c, { cidade: 'Porto\u202Egpj.exe' })), expect: { status: 422, errorMatches: /cidade.*caracteres que não são permitidos/ } },
    { route, name: 'a document link with CR/LF in it', request: (c) => intake(payload(c, { cnh_frente: `${hostUrl}/carta.jpg\r\nX-Injected: 1` })), expect: { status: 422, errorMatches: /carta de condução \(frente\).*não é válido/ } },

    // Documents: truncated, polyglot, disguised, not allowed.
    { route, name: 'a truncated JPEG', request: withDocument('cnh_frente', () => dataUrl('image/jpeg', hostileDocuments.truncated(files.jpeg))), expect: { status: 422, errorMatches: /não é uma imagem válida/ } },
    { route, name: 'a truncated PNG', request: withDocument('cnh_verso', () => dataUrl('image/png', hostileDocuments.truncated(files.png))), expect: { status: 422, errorMatches: /não é uma imagem válida/ } },
    { route, name: 'a truncated PDF', request: withDocument('comprovante_morada', () => dataUrl('application/pdf', hostileDocuments.truncated(files.pdf, 0.6))), expect: { status: 422, errorMatches: /não é um PDF válido/ } },
    {
      route, name: 'a PDF with a ZIP (an HTML page inside) appended (polyglot)',
      request: withDocument('comprovante_morada', () => dataUrl('application/pdf', files.pdfWithZip)),
      expect: { status: 422, errorMatches: /não é um PDF válido/ },
    },
    { route, name: 'a ZIP with a PDF appended (polyglot)', request: withDocument('comprovante_morada', () => dataUrl('application/pdf', files.zipWithPdf)), expect: { status: 415, errorMatches: /não está num formato aceite/ } },
    { route, name: 'a PDF of 10,000 object streams (each one an inflate)', request: withDocument('comprovante_morada', () => dataUrl('application/pdf', files.objectStreamFlood)), expect: { status: 422, errorMatches: /demasiado complexo/ } },
    { route, name: 'a PDF whose object stream inflates to 64 MB (a deflate bomb)', request: withDocument('comprovante_morada', () => dataUrl('application/pdf', files.deflateBomb)), expect: { status: 422, errorMatches: /demasiado complexo/ } },
    { route, name: 'an SVG with a script, declared as SVG', request: withDocument('cnh_frente', () => dataUrl('image/svg+xml', hostileDocuments.svgWithScript())), expect: { status: 415, errorMatches: /não está num formato aceite/ } },
    { route, name: 'an SVG with a script, declared as JPEG', request: withDocument('cnh_frente', () => dataUrl('image/jpeg', hostileDocuments.svgWithScript())), expect: { status: 415, errorMatches: /não está num formato aceite/ } },
    { route, name: 'an HTML page declared as JPEG', request: withDocument('cnh_verso', () => dataUrl('image/jpeg', hostileDocuments.html())), expect: { status: 415, errorMatches: /não está num formato aceite/ } },
    { route, name: 'an HTML page renamed .jpg at an allowed host', request: withDocument('cnh_frente', () => `${hostUrl}/carta.jpg`), expect: { status: 415, errorMatches: /não está num formato aceite/ } },
    { route, name: 'an SVG renamed .jpg at an allowed host', request: withDocument('cnh_verso', () => `${hostUrl}/carta.svg.jpg`), expect: { status: 415, errorMatches: /não está num formato aceite/ } },
    { route, name: 'an executable declared as JPEG', request: withDocument('cnh_frente', () => dataUrl('image/jpeg', hostileDocuments.executable())), expect: { status: 415, errorMatches: /não está num formato aceite/ } },
    { route, name: 'a PNG declared as PDF', request: withDocument('comprovante_morada', () => dataUrl('application/pdf', files.png)), expect: { status: 415, errorMatches: /diz ser application\/pdf, mas o conteúdo é image\/png/ } },
    { route, name: 'a decompression bomb (2.5 gigapixels declared)', request: withDocument('cnh_frente', () => dataUrl('image/png', makeDecompressionBombPng())), expect: { status: 422, errorMatches: /resolução demasiado elevada/ } },
    { route, name: 'a document over DOCUMENT_MAX_MB inside a body within the limit', request: withDocument('cnh_verso', () => dataUrl('image/png', Buffer.alloc(2 * 1024 * 1024 + 1, 0x41))), expect: { status: 413, errorMatches: /demasiado grande/ } },
    { route, name: 'an empty document', request: withDocument('cnh_frente', () => 'data:image/jpeg;base64,'), expect: { status: 422, errorMatches: /não é válido/ } },
    { route, name: 'a file:// link', request: withDocument('cnh_frente', () => 'file:///etc/passwd'), expect: { status: 422, errorMatches: /só são aceites ligações http ou https/ } },
    { route, name: 'a javascript: link', request: withDocument('cnh_frente', () => 'javascript:alert(1)'), expect: { status: 422, errorMatches: /só são aceites ligações http ou https/ } },
    { route, name: 'a link to the cloud metadata address', request: withDocument('cnh_frente', () => 'http://169.254.169.254/latest/meta-data/'), expect: { status: 422, errorMatches: /não é de uma origem autorizada/ } },
    { route, name: 'a link with credentials to an allowed host', request: (c) => intake(payload(c, { cnh_frente: `${hostUrl.replace('//', '//admin:admin@')}/carta.jpg` })), expect: { status: 422, errorMatches: /não é de uma origem autorizada/ } },
    { route, name: 'a link at an allowed host redirecting to the metadata address', request: (c) => intake(payload(c, { cnh_frente: `${hostUrl}/away` })), expect: { status: 422, errorMatches: /não é de uma origem autorizada/ } },
    { route, name: 'a link to an allowed host with a path traversal', request: (c) => intake(payload(c, { cnh_frente: `${hostUrl}/../../etc/passwd` })), expect: { status: 422, errorMatches: /Não foi possível descarregar/ } },

    // Paths next to the intake's.
    { route, name: 'the intake path with a dot segment', request: (c) => intake(payload(c), token, '/drivers/../drivers/register-typebot/'), expect: { status: 404, errorMatches: /^Not found$/, audience: 'operator' } },
    { route, name: 'the intake path with an encoded slash', request: (c) => intake(payload(c), token, '/drivers%2fregister-typebot/'), expect: { status: 404, errorMatches: /^Not found$/, audience: 'operator' } },
    { route, name: 'the intake path with a NUL', request: (c) => intake(payload(c), token, '/drivers/register-typebot%00/'), expect: { status: 404, errorMatches: /^Not found$/, audience: 'operator' } },
  ];

  const rowsFor = async (context: Context) => (await system().system.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM registrations WHERE nif_index = $1 OR phone_index = $2',
    [system().system.personal.index('nif', context.nif), system().system.personal.index('phone', context.phone)],
  )).rows[0]!.n;
  /** Registrations a row let through (a `todo`, or a control): their workflow keeps writing files while later rows run. */
  const accepted = new Set<string>();
  const noteAccepted = (response: RawResponse) => {
    if (typeof response.body.registration_id === 'string') accepted.add(response.body.registration_id);
  };
  const filesOfOthers = async () => (await system().storedFiles()).filter((file) => ![...accepted].some((id) => file.includes(id))).sort();
  const probes = (context: Context) => ({
    'registration rows with the NIF or phone': () => rowsFor(context),
    'document files': filesOfOthers,
    'registration workflows': () => system().workflowCount(),
    'WhatsApp messages sent': async () => system().wpp.sent.length,
    'the seeded registrations and their documents': seededState,
  });
  const newContext = (): Context => {
    const mobile = randomMobile();
    return { nif: randomNif(), mobile, phone: `+351${mobile.replace(/\s/g, '')}` };
  };

  runRows(rows, {
    baseUrl: () => system().system.apiUrl!,
    audience: () => 'driver',
    context: newContext,
    probes,
    answered: noteAccepted,
    secrets: () => [secret, reviewerToken],
  });

  // A registration asked to correct its NIF is found by its phone, but only by its own chat or code:
  // anyone else's form with that phone and another NIF is a new registration, answered as any new
  // NIF is (a wrong code is not looked at), so it tells nothing of the one waiting.
  it("takes a stranger's form with the phone of a registration asked to correct its NIF (no code, a wrong one, another registration's) as a registration of its own; the seeded one is untouched", async () => {
    const sut = system();
    const before = await seededState();
    for (const code of [undefined, 'AAAA-2222', seeded.other.code]) {
      const byPhone = await send(sut.system.apiUrl!, intake({ ...seeded.toCorrect.payload, nif: randomNif(), ...(code === undefined ? {} : { codigo_correcao: code }) }));
      const anyPhone = await send(sut.system.apiUrl!, intake({ ...seeded.toCorrect.payload, nif: randomNif(), telefone: randomMobile(), ...(code === undefined ? {} : { codigo_correcao: code }) }));
      for (const response of [byPhone, anyPhone]) noteAccepted(response);
      assert.equal(byPhone.status, 201, byPhone.text);
      assert.deepEqual({ ...byPhone.body, registration_id: 'x' }, { ...anyPhone.body, registration_id: 'x' }, 'the answer any new NIF gets');
      assert.notEqual(byPhone.body.registration_id, seeded.toCorrect.id);
    }
    assert.deepEqual(await seededState(), before, 'the registration asked to correct, its documents and the others unchanged');
  });

  it('accepts a JPEG with a script appended (phones append data after the image), and stores it re-encoded, without the script', async () => {
    const sut = system();
    const context = newContext();
    const response = await send(sut.system.apiUrl!, intake(payload(context, { cnh_frente: dataUrl('image/jpeg', files.jpegWithScript) })));
    noteAccepted(response);
    assert.equal(response.status, 201, response.text);
    const stored = await eventually(async () => {
      const rows = await sut.system.db.query<{ storage_key: string | null; received_key: string | null }>(
        "SELECT storage_key, received_key FROM registration_documents WHERE registration_id = $1 AND kind = 'licence_front'", [response.body.registration_id],
      );
      const row = rows.rows[0];
      return row?.storage_key != null && row.received_key === null ? row.storage_key : undefined;
    }, 20_000, 'the licence photo processed');
    const { bytes } = await sut.system.storage.get(stored);
    assert.equal(bytes.includes('<script'), false, 'the stored photo holds no script');
    assert.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG');
    const onDisk = await readFile(path.join(sut.storageDir, stored));
    assert.equal(onDisk.includes(Buffer.from([0xff, 0xd8, 0xff])) || onDisk.includes('<script'), false, 'on disk, encrypted');
  });

  it('the nothing-changed check sees a registration that is accepted (positive control)', async () => {
    const context = newContext();
    let response: RawResponse | undefined;
    const changed = await changedBy(probes(context), async () => {
      response = await send(system().system.apiUrl!, intake(payload(context)));
    });
    noteAccepted(response!);
    assert.equal(response?.status, 201);
    assert.ok(changed.includes('registration rows with the NIF or phone') && changed.includes('document files'), `changed: ${changed.join(', ')}`);
  });

  it('accepts a whole registration sent in chunks, without Content-Length (the body grows as it arrives)', async () => {
    const context = newContext();
    const response = await send(system().system.apiUrl!, intake(payload(context), { ...token, 'transfer-encoding': 'chunked' }));
    noteAccepted(response);
    assert.equal(response.status, 201, response.text);
    const { rows } = await system().system.db.query<{ n: number }>('SELECT count(*)::int AS n FROM registrations WHERE nif_index = $1', [system().system.personal.index('nif', context.nif)]);
    assert.equal(rows[0]!.n, 1);
  });

  it('the nothing-changed check sees a correction made with the registration\'s own code (positive control)', async () => {
    const other = seeded.other;
    let response: RawResponse | undefined;
    const changed = await changedBy({ seeded: seededState }, async () => {
      response = await send(system().system.apiUrl!, intake({ ...other.payload, email: 'corrigido@example.pt', codigo_correcao: other.code }));
    });
    assert.equal(response?.status, 200, response?.text);
    assert.deepEqual(changed, ['seeded']);
  });
});
