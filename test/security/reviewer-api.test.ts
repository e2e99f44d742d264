/**
 * Security suite, what operators reach: the reviewer API (the queue, a registration, its documents
 * and thumbnails, the three decisions), /health, /metrics, and the bridge sandbox console that
 * `npm start` runs. Each row one bad input, refused in English, with no audit entry, no change to the
 * registrations or their documents, no workflow and nothing sent. Every id parameter gets the same
 * path traversals; every reviewer route gets no token and a wrong one.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { startSandboxConsole, type SandboxConsole } from '../../scripts/sandbox-console.ts';
import { chatwootView, newDriverPhone, webhooksAnswered } from '../support/bridge-views.ts';
import { flatPayload, sampleDocuments } from '../support/registration-payloads.ts';
import { eventually, useTestSystem, type TestSystem } from '../support/test-system.ts';
import { changedBy, runRows, send, type RawRequest, type Row } from './bad-input-table.ts';

const reviewers = { ana: `reviewer-ana-${randomUUID()}`, rui: `reviewer-rui-${randomUUID()}` };
const operatorToken = `operator-olga-${randomUUID()}`;
const reviewerNames = ['sec-ana', 'sec-rui'];
const intakeSecret = `intake-secret-${randomUUID()}`;

/** Two registrations waiting for a decision, their documents processed. */
interface Seeded {
  a: { id: string; nif: string; phone: string; name: string; photo: string; pdf: string };
  b: { id: string; nif: string; phone: string; name: string; photo: string; pdf: string };
}

describe('security: the reviewer API, /health, /metrics and the sandbox console refuse every bad input and change nothing', () => {
  let sandbox: SandboxConsole;
  let seeded: Seeded;

  const system = useTestSystem({
    REVIEWER_TOKENS: `${reviewerNames[0]}:${reviewers.ana},${reviewerNames[1]}:${reviewers.rui}`,
    INTAKE_SHARED_SECRET: intakeSecret,
    OPERATOR_TOKENS: `sec-olga:${operatorToken}`,
  }, { bridge: true }, {
    started: async (sut) => {
      sandbox = await startSandboxConsole({ wpp: sut.wpp, chatwoot: sut.chatwoot! });
      seeded = { a: await register(sut, 'Rui Manuel Almeida'), b: await register(sut, 'Ana Sofia Ferreira') };
    },
    stopping: () => sandbox.close(),
  });

  async function register(sut: TestSystem, name: string): Promise<Seeded['a']> {
    const payload = flatPayload(await sampleDocuments(), { nome_completo: name });
    const answer = await send(sut.system.apiUrl!, { method: 'POST', path: '/drivers/register-typebot/', headers: { 'x-intake-token': intakeSecret }, body: payload });
    assert.equal(answer.status, 201, answer.text);
    const id = answer.body.registration_id as string;
    const documents = await eventually(async () => {
      const { rows } = await sut.system.db.query<{ id: string; kind: string; received_key: string | null; status: string }>(
        'SELECT d.id, d.kind, d.received_key, r.status FROM registration_documents d JOIN registrations r ON r.id = d.registration_id WHERE r.id = $1', [id],
      );
      return rows.length === 3 && rows.every((row) => row.received_key === null && row.status === 'pending_approval') ? rows : undefined;
    }, 30_000, `registration ${id} waiting for a reviewer`);
    const phone = (await sut.system.db.query<{ phone: string }>('SELECT phone FROM registrations WHERE id = $1', [id])).rows[0]!.phone;
    return {
      id, nif: String(payload.nif), phone, name,
      photo: documents.find((doc) => doc.kind === 'licence_front')!.id,
      pdf: documents.find((doc) => doc.kind === 'proof_of_address')!.id,
    };
  }

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const asAna = bearer(reviewers.ana);
  const get = (path: string, headers: Record<string, string> = asAna): RawRequest => ({ method: 'GET', path, headers });
  const post = (path: string, body?: unknown, headers: Record<string, string> = asAna): RawRequest => ({ method: 'POST', path, headers, ...(body === undefined ? {} : { body }) });

  // --- Every reviewer route, without a token and with a wrong one ---------------------------------
  const reviewerRoutes: Array<{ route: string; request: (s: Seeded, headers: Record<string, string>) => RawRequest }> = [
    { route: 'GET /drivers', request: (_s, h) => get('/drivers', h) },
    { route: 'GET /drivers/:id', request: (s, h) => get(`/drivers/${s.a.id}`, h) },
    { route: 'GET /drivers/:id/documents/:documentId', request: (s, h) => get(`/drivers/${s.a.id}/documents/${s.a.photo}`, h) },
    { route: 'GET /drivers/:id/documents/:documentId/thumbnail', request: (s, h) => get(`/drivers/${s.a.id}/documents/${s.a.photo}/thumbnail`, h) },
    { route: 'POST /drivers/:id/approve', request: (s, h) => post(`/drivers/${s.a.id}/approve`, {}, h) },
    { route: 'POST /drivers/:id/reject', request: (s, h) => post(`/drivers/${s.a.id}/reject`, { reason: 'Documentos ilegíveis' }, h) },
    { route: 'POST /drivers/:id/request-correction', request: (s, h) => post(`/drivers/${s.a.id}/request-correction`, { items: ['licence_front'] }, h) },
    { route: 'POST /drivers/export', request: (s, h) => post('/drivers/export', { registration_id: s.a.id }, h) },
    { route: 'POST /chats/find', request: (_s, h) => post('/chats/find', { phone: '+351912345678' }, h) },
    { route: 'POST /chats/history-import', request: (_s, h) => post('/chats/history-import', { phone: '+351912345678' }, h) },
  ];
  const tokenRequired = /^A reviewer bearer token is required$/;
  const unknownToken = /^Unknown reviewer token$/;
  const authRows: Row<Seeded>[] = reviewerRoutes.flatMap(({ route, request }) => [
    { route, name: 'without a token', request: (s: Seeded) => request(s, {}), expect: { status: 401, errorMatches: tokenRequired } },
    { route, name: 'with a wrong token', request: (s: Seeded) => request(s, bearer(`reviewer-${randomUUID()}`)), expect: { status: 401, errorMatches: unknownToken } },
  ]);

  // --- Other credentials and malformed ones, on the queue ------------------------------------------
  const queue = 'GET /drivers';
  const credentialRows: Row<Seeded>[] = [
    { route: queue, name: 'with the intake secret (another credential) as the bearer token', request: () => get('/drivers', bearer(intakeSecret)), expect: { status: 401, errorMatches: unknownToken } },
    { route: queue, name: "with the WPPConnect webhook token (another credential)", request: () => get('/drivers', bearer(system().config.WPPCONNECT_WEBHOOK_TOKEN!)), expect: { status: 401, errorMatches: unknownToken } },
    { route: queue, name: "with Chatwoot's webhook secret (another credential)", request: () => get('/drivers', bearer(system().chatwoot!.webhookSecret)), expect: { status: 401, errorMatches: unknownToken } },
    { route: queue, name: "with Chatwoot's API token (another credential)", request: () => get('/drivers', bearer(system().chatwoot!.apiToken)), expect: { status: 401, errorMatches: unknownToken } },
    { route: queue, name: 'with the intake secret as X-Intake-Token', request: () => get('/drivers', { 'x-intake-token': intakeSecret }), expect: { status: 401, errorMatches: tokenRequired } },
    { route: queue, name: 'with a reviewer token plus one character', request: () => get('/drivers', bearer(`${reviewers.ana}x`)), expect: { status: 401, errorMatches: unknownToken } },
    { route: queue, name: 'with a reviewer token minus its last character', request: () => get('/drivers', bearer(reviewers.ana.slice(0, -1))), expect: { status: 401, errorMatches: unknownToken } },
    { route: queue, name: 'with two reviewer tokens in one header', request: () => get('/drivers', { authorization: `Bearer ${reviewers.ana} ${reviewers.rui}` }), expect: { status: 401, errorMatches: tokenRequired } },
    { route: queue, name: 'with a reviewer token as Basic credentials', request: () => get('/drivers', { authorization: `Basic ${Buffer.from(`ana:${reviewers.ana}`).toString('base64')}` }), expect: { status: 401, errorMatches: tokenRequired } },
    { route: queue, name: 'with a reviewer token without the Bearer scheme', request: () => get('/drivers', { authorization: reviewers.ana }), expect: { status: 401, errorMatches: tokenRequired } },
    { route: queue, name: 'with a reviewer token in the query string', request: () => get(`/drivers?token=${reviewers.ana}&access_token=${reviewers.ana}`, {}), expect: { status: 401, errorMatches: tokenRequired } },
    { route: queue, name: 'with a reviewer token in a cookie', request: () => get('/drivers', { cookie: `token=${reviewers.ana}` }), expect: { status: 401, errorMatches: tokenRequired } },
  ];

  // --- The queue's query ---------------------------------------------------------------------------
  const invalidRequest = /^Invalid request$/;
  /** A reviewer's request is read up to 64 KiB (the edge's limit for the reviewer API): bigger bodies stop there. */
  const tooLargeForReviewers = /^Request body is too large$/;
  const queryRows: Row<Seeded>[] = [
    ['a limit beyond double precision (1e400)', '?limit=1e400'],
    ['a limit of 0', '?limit=0'],
    ['a limit over 200', '?limit=201'],
    ['a negative offset', '?offset=-1'],
    ['an offset past the safe integers', '?offset=99999999999999999999'],
    ['a fractional limit', '?limit=1.5'],
    ['the limit twice', '?limit=10&limit=20'],
    ['a status that does not exist', '?status=hacked'],
    ['SQL in the status', `?status=${encodeURIComponent("approved' OR '1'='1")}`],
    ['a path traversal as the status', '?status=..%2f..%2fetc%2fpasswd'],
  ].map(([name, query]) => ({ route: queue, name: name!, request: () => get(`/drivers${query!}`), expect: { status: 400, errorMatches: invalidRequest } }));

  // --- Path traversal in every id parameter ---------------------------------------------------------
  const traversals: Array<[string, (valid: string) => string]> = [
    ['../', () => '..'],
    ['%2e%2e', () => '%2e%2e'],
    ['an encoded slash climbing to /metrics', () => '..%2f..%2fmetrics'],
    ['a NUL after a valid id', (valid) => `${valid}%00`],
    ['a valid id, an encoded slash and ../', (valid) => `${valid}%2f..%2f..`],
  ];
  const idRoutes: Array<{ route: string; param: string; request: (s: Seeded, at: (valid: string) => string) => RawRequest }> = [
    { route: 'GET /drivers/:id', param: ':id', request: (s, at) => get(`/drivers/${at(s.a.id)}`) },
    { route: 'GET /drivers/:id/documents/:documentId', param: ':id', request: (s, at) => get(`/drivers/${at(s.a.id)}/documents/${s.a.photo}`) },
    { route: 'GET /drivers/:id/documents/:documentId', param: ':documentId', request: (s, at) => get(`/drivers/${s.a.id}/documents/${at(s.a.photo)}`) },
    { route: 'GET /drivers/:id/documents/:documentId/thumbnail', param: ':id', request: (s, at) => get(`/drivers/${at(s.a.id)}/documents/${s.a.photo}/thumbnail`) },
    { route: 'GET /drivers/:id/documents/:documentId/thumbnail', param: ':documentId', request: (s, at) => get(`/drivers/${s.a.id}/documents/${at(s.a.photo)}/thumbnail`) },
    { route: 'POST /drivers/:id/approve', param: ':id', request: (s, at) => post(`/drivers/${at(s.a.id)}/approve`, {}) },
    { route: 'POST /drivers/:id/reject', param: ':id', request: (s, at) => post(`/drivers/${at(s.a.id)}/reject`, { reason: 'Documentos ilegíveis' }) },
    { route: 'POST /drivers/:id/request-correction', param: ':id', request: (s, at) => post(`/drivers/${at(s.a.id)}/request-correction`, { items: ['licence_front'] }) },
  ];
  const traversalRows: Row<Seeded>[] = idRoutes.flatMap(({ route, param, request }) => traversals.map(([what, at]) => ({
    route, name: `${what} as ${param}`, request: (s: Seeded) => request(s, at), expect: { status: 400, errorMatches: invalidRequest },
  })));

  // --- Ids that are valid but not theirs, and decisions' bodies -------------------------------------
  const notFoundRows: Row<Seeded>[] = [
    { route: 'GET /drivers/:id', name: 'a registration that does not exist', request: () => get(`/drivers/${randomUUID()}`), expect: { status: 404, errorMatches: /^Registration not found$/ } },
    { route: 'GET /drivers/:id/documents/:documentId', name: "one registration's document under another registration's id", request: (s) => get(`/drivers/${s.b.id}/documents/${s.a.photo}`), expect: { status: 404, errorMatches: /^Document original not found$/ } },
    { route: 'GET /drivers/:id/documents/:documentId', name: 'a document that does not exist', request: (s) => get(`/drivers/${s.a.id}/documents/${randomUUID()}`), expect: { status: 404, errorMatches: /^Document original not found$/ } },
    { route: 'GET /drivers/:id/documents/:documentId/thumbnail', name: "one registration's thumbnail under another registration's id", request: (s) => get(`/drivers/${s.b.id}/documents/${s.a.photo}/thumbnail`), expect: { status: 404, errorMatches: /^Document thumbnail not found$/ } },
    { route: 'GET /drivers/:id/documents/:documentId/thumbnail', name: "a PDF's thumbnail (there is none)", request: (s) => get(`/drivers/${s.a.id}/documents/${s.a.pdf}/thumbnail`), expect: { status: 404, errorMatches: /^Document thumbnail not found$/ } },
    { route: 'POST /drivers/:id/approve', name: 'a registration that does not exist', request: () => post(`/drivers/${randomUUID()}/approve`, {}), expect: { status: 404, errorMatches: /^Registration not found$/ } },
    { route: 'POST /drivers/:id/reject', name: 'a reason of two characters', request: (s) => post(`/drivers/${s.a.id}/reject`, { reason: 'no' }), expect: { status: 400, errorMatches: invalidRequest } },
    { route: 'POST /drivers/:id/reject', name: 'a reason over 1,000 characters', request: (s) => post(`/drivers/${s.a.id}/reject`, { reason: 'x'.repeat(1001) }), expect: { status: 400, errorMatches: invalidRequest } },
    { route: 'POST /drivers/:id/reject', name: '10,000 fields and no reason', request: (s) => post(`/drivers/${s.a.id}/reject`, Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]))), expect: { status: 413, errorMatches: tooLargeForReviewers } },
    { route: 'POST /drivers/:id/reject', name: 'a reason nested 100,000 arrays deep', request: (s) => post(`/drivers/${s.a.id}/reject`, `{"reason": ${'['.repeat(100_000)}"Documentos ilegíveis"${']'.repeat(100_000)}}`), expect: { status: 413, errorMatches: tooLargeForReviewers } },
    { route: 'POST /drivers/:id/reject', name: '2,000 fields and no reason (within 64 KiB)', request: (s) => post(`/drivers/${s.a.id}/reject`, Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`k${i}`, i]))), expect: { status: 400, errorMatches: invalidRequest } },
    { route: 'POST /drivers/:id/reject', name: 'a reason nested 20,000 arrays deep (within 64 KiB)', request: (s) => post(`/drivers/${s.a.id}/reject`, `{"reason": ${'['.repeat(20_000)}"Documentos ilegíveis"${']'.repeat(20_000)}}`), expect: { status: 400, errorMatches: invalidRequest } },
    { route: 'POST /drivers/:id/reject', name: 'a reason that is a number beyond double precision', request: (s) => post(`/drivers/${s.a.id}/reject`, '{"reason": 1e400}'), expect: { status: 400, errorMatches: invalidRequest } },
    { route: 'POST /drivers/:id/reject', name: 'invalid JSON', request: (s) => post(`/drivers/${s.a.id}/reject`, '{"reason": "Docu'), expect: { status: 400, errorMatches: /not valid JSON/ } },
    { route: 'POST /drivers/:id/reject', name: 'invalid UTF-8 between the JSON tokens', request: (s) => post(`/drivers/${s.a.id}/reject`, Buffer.concat([Buffer.from('{"reason": "Documentos ilegíveis"'), Buffer.from([0xff, 0xfe]), Buffer.from('}')])), expect: { status: 400, errorMatches: /not valid JSON/ } },
    { route: 'POST /drivers/:id/reject', name: 'a body of an unknown type', request: (s) => post(`/drivers/${s.a.id}/reject`, '<reason>x</reason>', { ...asAna, 'content-type': 'application/xml' }), expect: { status: 415, errorMatches: /Unsupported Media Type/ } },
    { route: 'POST /drivers/:id/reject', name: 'the reason twice (duplicate keys), the last too short', request: (s) => post(`/drivers/${s.a.id}/reject`, '{"reason": "Documentos ilegíveis", "reason": "x"}'), expect: { status: 400, errorMatches: invalidRequest } },
    { route: 'POST /drivers/:id/approve', name: 'a body over 1 MiB', request: (s) => post(`/drivers/${s.a.id}/approve`, { note: 'x'.repeat(1_100_000) }), expect: { status: 413, errorMatches: /too large/i } },
    { route: 'POST /drivers/:id/request-correction', name: 'an item that does not exist (a path)', request: (s) => post(`/drivers/${s.a.id}/request-correction`, { items: ['../../etc/passwd'] }), expect: { status: 400, errorMatches: invalidRequest } },
    { route: 'POST /drivers/:id/request-correction', name: 'no items', request: (s) => post(`/drivers/${s.a.id}/request-correction`, { items: [] }), expect: { status: 400, errorMatches: invalidRequest } },
    { route: 'POST /drivers/:id/request-correction', name: '10,000 items', request: (s) => post(`/drivers/${s.a.id}/request-correction`, { items: Array.from({ length: 10_000 }, () => 'licence_front') }), expect: { status: 413, errorMatches: tooLargeForReviewers } },
    { route: 'POST /drivers/:id/request-correction', name: '2,000 items (within the 64 KiB a reviewer may send)', request: (s) => post(`/drivers/${s.a.id}/request-correction`, { items: Array.from({ length: 2_000 }, () => 'licence_front') }), expect: { status: 400, errorMatches: invalidRequest } },
    { route: 'POST /drivers/:id/request-correction', name: 'items as an object', request: (s) => post(`/drivers/${s.a.id}/request-correction`, { items: { $ne: null } }), expect: { status: 400, errorMatches: invalidRequest } },
  ];

  // --- /health and /metrics, and paths that climb from them -----------------------------------------
  const notFound = /^Not found$/;
  const openRouteRows: Row<Seeded>[] = [
    { route: 'GET /health', name: 'POST instead of GET', request: () => post('/health', {}, {}), expect: { status: 404, errorMatches: notFound } },
    { route: 'GET /health', name: 'a dot segment climbing to a registration', request: (s) => get(`/health/../drivers/${s.a.id}`, {}), expect: { status: 404, errorMatches: notFound } },
    { route: 'GET /health', name: 'an encoded NUL after the path', request: () => get('/health%00', {}), expect: { status: 404, errorMatches: notFound } },
    { route: 'GET /metrics', name: 'DELETE instead of GET', request: () => ({ method: 'DELETE', path: '/metrics' }), expect: { status: 404, errorMatches: notFound } },
    { route: 'GET /metrics', name: 'a dot segment climbing to a registration', request: (s) => get(`/metrics/../drivers/${s.a.id}`, {}), expect: { status: 404, errorMatches: notFound } },
    { route: 'GET /metrics', name: 'an encoded dot segment before it', request: () => get('/%2e%2e/metrics', {}), expect: { status: 404, errorMatches: notFound } },
    { route: 'GET /drivers/:id', name: 'a registration reached from /metrics by encoded slashes, without a token', request: (s) => get(`/metrics%2f..%2fdrivers%2f${s.a.id}`, {}), expect: { status: 404, errorMatches: notFound } },
  ];

  // --- The sandbox console (npm start's bridge sandbox) ---------------------------------------------
  const sandboxPost = (path: string, body: unknown, headers: Record<string, string> = {}): RawRequest => ({ method: 'POST', path, headers, body });
  const phone = `+${newDriverPhone()}`;
  const sandboxRows: Row<Seeded>[] = [
    { route: 'POST /driver-says (sandbox)', name: 'invalid JSON', request: () => sandboxPost('/driver-says', '{"phone": "+3519'), expect: { status: 400, errorMatches: /not valid JSON/ } },
    { route: 'POST /driver-says (sandbox)', name: 'a text of 4,097 characters', request: () => sandboxPost('/driver-says', { phone, text: 'x'.repeat(4097) }), expect: { status: 400, errorMatches: invalidRequest } },
    { route: 'POST /driver-says (sandbox)', name: 'a phone with CR/LF and a header', request: () => sandboxPost('/driver-says', { phone: `${phone}\r\nX-Injected: 1`, text: 'Olá' }), expect: { status: 400, errorMatches: invalidRequest } },
    { route: 'POST /driver-says (sandbox)', name: 'a phone with a path traversal', request: () => sandboxPost('/driver-says', { phone: '../../351912345678', text: 'Olá' }), expect: { status: 400, errorMatches: invalidRequest } },
    { route: 'POST /driver-says (sandbox)', name: '10,000 fields and no text', request: () => sandboxPost('/driver-says', { ...Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i])), phone }), expect: { status: 400, errorMatches: invalidRequest } },
    { route: 'POST /driver-says (sandbox)', name: 'a text nested 100,000 arrays deep', request: () => sandboxPost('/driver-says', `{"phone": "${phone}", "text": ${'['.repeat(100_000)}"Olá"${']'.repeat(100_000)}}`), expect: { status: 400, errorMatches: invalidRequest } },
    { route: 'POST /driver-sends (sandbox)', name: 'a file name with a path traversal', request: () => sandboxPost('/driver-sends', { phone, file: '../../etc/passwd' }), expect: { status: 400, errorMatches: invalidRequest } },
    { route: 'POST /agent-says (sandbox)', name: 'a conversation id beyond double precision (1e400)', request: () => sandboxPost('/agent-says', '{"conversationId": 1e400, "text": "Olá"}'), expect: { status: 400, errorMatches: invalidRequest } },
    { route: 'POST /agent-says (sandbox)', name: 'a conversation id past the safe integers', request: () => sandboxPost('/agent-says', '{"conversationId": 99999999999999999999, "text": "Olá"}'), expect: { status: 400, errorMatches: invalidRequest } },
    { route: 'POST /agent-says (sandbox)', name: 'a conversation that does not exist', request: () => sandboxPost('/agent-says', { conversationId: 999_999, text: 'Olá' }), expect: { status: 404, errorMatches: /^No conversation 999999/ } },
    { route: 'GET /whatsapp/:phone (sandbox)', name: 'a path traversal as the phone', request: () => get('/whatsapp/..%2f..%2fetc%2fpasswd', {}), expect: { status: 400, errorMatches: invalidRequest } },
    { route: 'GET /whatsapp/:phone (sandbox)', name: 'a NUL after the phone', request: () => get(`/whatsapp/${encodeURIComponent(phone)}%00`, {}), expect: { status: 400, errorMatches: invalidRequest } },
  ];

  // --- What must not change -----------------------------------------------------------------------
  const ids = () => [seeded.a.id, seeded.b.id];
  const probes = () => {
    const sut = system();
    return {
      "audit entries of this file's reviewers and registrations": async () => (await sut.system.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM audit_log WHERE actor = ANY($1) OR registration_id = ANY($2)', [reviewerNames, ids()],
      )).rows[0]!.n,
      'the registrations (status, decision, correction, updated)': async () => (await sut.system.db.query<Record<string, unknown>>(
        'SELECT id, status, decided_by, rejection_reason, correction_items, updated_at FROM registrations WHERE id = ANY($1) ORDER BY id', [ids()],
      )).rows,
      'their documents': async () => (await sut.system.db.query<Record<string, unknown>>(
        'SELECT id, status, storage_key, thumbnail_key, revision FROM registration_documents WHERE registration_id = ANY($1) ORDER BY id', [ids()],
      )).rows,
      'stored files': async () => (await sut.storedFiles()).sort(),
      'registration workflows': () => sut.workflowCount(),
      'WhatsApp messages sent': async () => sut.wpp.sent.length,
      'WhatsApp webhooks posted (the sandbox)': async () => sut.wpp.webhookDeliveries.length,
      'Chatwoot conversations and messages': async () => sut.chatwoot!.conversations().map((conversation) => sut.chatwoot!.messages(conversation.id).length),
    };
  };
  const secrets = () => {
    const sut = system();
    return [reviewers.ana, reviewers.rui, intakeSecret, sut.config.WPPCONNECT_WEBHOOK_TOKEN!, sut.chatwoot!.webhookSecret, sut.chatwoot!.apiToken, sut.wpp.secretKey, seeded.a.nif, seeded.b.nif];
  };

  // --- The export: operators only, one lookup, nothing read for a bad one ---------------------------
  const exportRoute = 'POST /drivers/export';
  const asOperator = bearer(operatorToken);
  const exportRows: Row<Seeded>[] = [
    { route: exportRoute, name: "with a reviewer's token", request: (s) => post('/drivers/export', { registration_id: s.a.id }), expect: { status: 403, errorMatches: /^This needs an operator token/ } },
    { route: exportRoute, name: 'with no lookup', request: () => post('/drivers/export', {}, asOperator), expect: { status: 400, errorMatches: invalidRequest } },
    { route: exportRoute, name: 'with two lookups', request: (s) => post('/drivers/export', { registration_id: s.a.id, nif: '123456789' }, asOperator), expect: { status: 400, errorMatches: invalidRequest } },
    { route: exportRoute, name: 'with a NIF that is not one', request: () => post('/drivers/export', { nif: "1' OR '1'='1" }, asOperator), expect: { status: 400, errorMatches: /^nif is not a valid NIF$/ } },
    { route: exportRoute, name: 'with a NIF as an object', request: () => post('/drivers/export', { nif: { $ne: null } }, asOperator), expect: { status: 400, errorMatches: invalidRequest } },
    { route: exportRoute, name: 'with a registration id that is not a UUID', request: () => post('/drivers/export', { registration_id: '../../etc/passwd' }, asOperator), expect: { status: 400, errorMatches: invalidRequest } },
    { route: exportRoute, name: 'with a phone no registration holds', request: () => post('/drivers/export', { phone: '+351 919 999 999' }, asOperator), expect: { status: 404, errorMatches: /^No registration holds that driver$/ } },
  ];

  // --- Finding a chat's workflow by phone: operators only, a phone or nothing ----------------------
  const findChat = 'POST /chats/find';
  const findChatRows: Row<Seeded>[] = [
    { route: findChat, name: "with a reviewer's token", request: () => post('/chats/find', { phone: '+351912345678' }), expect: { status: 403, errorMatches: /^This needs an operator token/ } },
    { route: findChat, name: 'with no phone', request: () => post('/chats/find', {}, asOperator), expect: { status: 400, errorMatches: invalidRequest } },
    { route: findChat, name: 'with a phone that is not one', request: () => post('/chats/find', { phone: "1' OR '1'='1" }, asOperator), expect: { status: 400, errorMatches: /^phone is not a phone number/ } },
    { route: findChat, name: 'with a phone as an object', request: () => post('/chats/find', { phone: { $ne: null } }, asOperator), expect: { status: 400, errorMatches: invalidRequest } },
    { route: findChat, name: 'with a phone no chat has', request: () => post('/chats/find', { phone: '+351 919 999 998' }, asOperator), expect: { status: 404, errorMatches: /^No chat workflow for that phone$/ } },
  ];

  // --- A history backfill: operators only, one chat's phone or every chat, a sane window ----------
  const historyImport = 'POST /chats/history-import';
  const historyImportRows: Row<Seeded>[] = [
    { route: historyImport, name: "with a reviewer's token", request: () => post('/chats/history-import', { phone: '+351912345678' }), expect: { status: 403, errorMatches: /^This needs an operator token/ } },
    { route: historyImport, name: 'with neither a phone nor all', request: () => post('/chats/history-import', {}, asOperator), expect: { status: 400, errorMatches: invalidRequest } },
    { route: historyImport, name: 'with a phone and all', request: () => post('/chats/history-import', { phone: '+351912345678', all: true }, asOperator), expect: { status: 400, errorMatches: invalidRequest } },
    { route: historyImport, name: 'with a phone that is not one', request: () => post('/chats/history-import', { phone: "1' OR '1'='1" }, asOperator), expect: { status: 400, errorMatches: /^phone is not a phone number/ } },
    { route: historyImport, name: 'with all as a string', request: () => post('/chats/history-import', { all: 'true' }, asOperator), expect: { status: 400, errorMatches: invalidRequest } },
    { route: historyImport, name: 'with a window of 0 days', request: () => post('/chats/history-import', { phone: '+351912345678', days: 0 }, asOperator), expect: { status: 400, errorMatches: invalidRequest } },
    { route: historyImport, name: 'with a window of 10 years', request: () => post('/chats/history-import', { all: true, days: 3650 }, asOperator), expect: { status: 400, errorMatches: invalidRequest } },
  ];

  const apiRows = [...authRows, ...credentialRows, ...queryRows, ...traversalRows, ...notFoundRows, ...openRouteRows, ...exportRows, ...findChatRows, ...historyImportRows];
  runRows([...apiRows, ...sandboxRows], {
    baseUrl: (row) => (sandboxRows.includes(row) ? sandbox.url : system().system.apiUrl!),
    audience: () => 'operator',
    context: () => seeded,
    probes,
    settle: async () => {
      await webhooksAnswered(system());
    },
    secrets,
  });

  it('/metrics shows no token, secret, NIF, phone or name', async () => {
    const metrics = await send(system().system.apiUrl!, get('/metrics', {}));
    assert.equal(metrics.status, 200);
    for (const secret of [...secrets(), seeded.a.phone, seeded.b.phone, seeded.a.phone.slice(1), seeded.a.name, seeded.b.name]) {
      assert.ok(!metrics.text.includes(secret), 'a secret or personal datum in /metrics');
    }
  });

  it('the nothing-changed check sees a reviewer viewing a registration and the sandbox relaying a message (positive control)', async () => {
    const sut = system();
    const changed = await changedBy(probes(), async () => {
      assert.equal((await send(sut.system.apiUrl!, get(`/drivers/${seeded.a.id}`))).status, 200);
      assert.equal((await send(sandbox.url, sandboxPost('/driver-says', { phone, text: 'Olá' }))).status, 202);
      await eventually(async () => (chatwootView(sut).incomingTexts(phone.slice(1)).includes('Olá') ? true : undefined), 15_000, 'the message in Chatwoot');
    });
    for (const probe of ["audit entries of this file's reviewers and registrations", 'WhatsApp webhooks posted (the sandbox)', 'Chatwoot conversations and messages']) {
      assert.ok(changed.includes(probe), `${probe} changed: ${changed.join(', ')}`);
    }
  });
});
