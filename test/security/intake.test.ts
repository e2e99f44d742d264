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
import { hostileDocuments, makeDecompressionBombPng, makeJpeg, makePdf, makePng } from '../fixtures/documents.ts';
import { dataUrl, flatPayload, randomMobile, randomNif, sampleDocuments, variablesPayload, type SampleDocuments } from '../support/registration-payloads.ts';
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
  const token = { 'x-intake-token': secret };
  /** A whole registration with the row's NIF and phone, `overrides` on top. */
  const payload = (context: Context, overrides: Record<string, unknown> = {}) =>
    flatPayload(files, { nif: context.nif, telefone: context.mobile, ...overrides });
  /** The intake, with the secret unless `headers` replace it. */
  const intake = (body: unknown, headers: Record<string, string> = token, path = '/drivers/register-typebot/'): RawRequest =>
    ({ method: 'POST', path, headers, body });
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
    // Today the body is parsed before the secret is checked (finding 2): invalid JSON without the secret is a 400, not a 401.
    { route, name: 'invalid JSON and no X-Intake-Token (the body is read before the secret is checked)', request: () => intake('{"nif": "1234', {}), expect: { status: 400, errorMatches: /^O pedido não é um JSON válido\.$/ } },

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

    // Deep nesting, many fields, huge numbers, duplicate keys, invalid UTF-8.
    { route, name: 'the NIF nested 100,000 arrays deep', request: (c) => rawJson(c, `"nif": ${nested(100_000)}`), expect: { status: 422, errorMatches: /NIF/ } },
    { route, name: 'an unknown field nested 100,000 objects deep, and a bad NIF', request: (c) => rawJson(c, `"extra": ${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}, "nif": "123456788"`), expect: { status: 422, errorMatches: /NIF indicado não é válido/ } },
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
    'SELECT count(*)::int AS n FROM registrations WHERE nif = $1 OR phone = $2', [context.nif, context.phone],
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
    const bytes = await readFile(path.join(sut.storageDir, stored));
    assert.equal(bytes.includes('<script'), false, 'the stored photo holds no script');
    assert.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG');
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
});
