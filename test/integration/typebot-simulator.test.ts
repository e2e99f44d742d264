/**
 * The Typebot simulator over real HTTP: a small exported flow (text bubbles, inputs,
 * choices, a file upload, a Condition loop, an HTTP Request block against a local receiver)
 * played through startChat/continueChat as a chat client would.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import Fastify from 'fastify';
import type { TypebotSimulator, TypebotSimulatorOptions } from '../simulators/typebot/index.ts';
import { startTypebotSimulator } from '../simulators/typebot/index.ts';

interface ChatMessage {
  id: string;
  type: string;
  content: { type?: string; markdown?: string; url?: string; richText?: unknown };
}

/** A Chat API answer (or error body), read field by field. */
interface ChatAnswer {
  sessionId?: string;
  resultId?: string;
  typebot?: { version: string };
  messages: ChatMessage[];
  input?: { id: string; type: string };
  logs?: Array<{ status: string; description: string }>;
  lastMessageNewFormat?: string;
  [field: string]: unknown;
}

interface UploadGrant {
  presignedUrl: string;
  formData: Record<string, string>;
  fileUrl: string;
  maxFileSize?: number;
  message?: string;
}

const p = (...children: Array<string | { text: string; bold?: boolean; italic?: boolean }>) => ({
  type: 'p',
  children: children.map((child) => (typeof child === 'string' ? { text: child } : child)),
});
const bubble = (id: string, ...paragraphs: object[]) => ({ id, type: 'text', content: { richText: paragraphs } });
const edge = (id: string, from: object, groupId: string) => ({ id, from, to: { groupId } });
const equalTo = (variableId: string, value: string) => ({ logicalOperator: 'AND', comparisons: [{ id: `c_${variableId}`, variableId, comparisonOperator: 'Equal to', value }] });

const names = ['ContactName', 'Nome', 'Email', 'Telefone', 'Veiculo', 'Carta', 'Confirmacao', 'UrlRegisto', 'Origem', 'Estado', 'Motorista'];

/** The test flow, as Typebot exports it (version 6.1). */
function registrationFlow(timeoutSeconds = 5) {
  return {
    version: '6.1',
    name: 'Registo (teste)',
    events: [{ id: 'ev_start', type: 'start', graphCoordinates: { x: 0, y: 0 }, outgoingEdgeId: 'e_start' }],
    variables: names.map((name) => ({ id: `v_${name}`, name })),
    theme: {},
    settings: {},
    groups: [
      { id: 'g_start', title: 'Início', blocks: [
        bubble('b_hi', p('Olá ', { text: '{{ContactName}}', bold: true }, '!'), p(''), p({ text: 'Vamos começar.', italic: true })),
        { id: 'b_logo', type: 'image', content: { url: 'https://cdn.example.pt/logo.png' } },
        { id: 'b_nome', type: 'text input', options: { variableId: 'v_Nome' }, outgoingEdgeId: 'e_nome' },
      ] },
      { id: 'g_email', title: 'Email', blocks: [{ id: 'b_email', type: 'email input', options: { variableId: 'v_Email' }, outgoingEdgeId: 'e_email' }] },
      { id: 'g_tel', title: 'Telefone', blocks: [
        { id: 'b_tel', type: 'phone number input', options: { variableId: 'v_Telefone', defaultCountryCode: 'PT', retryMessageContent: 'Número inválido, {{Nome}}.' }, outgoingEdgeId: 'e_tel' },
      ] },
      { id: 'g_veic', title: 'Veículo', blocks: [
        bubble('b_veic_q', p('Que veículo conduz?')),
        { id: 'b_veic', type: 'choice input', options: { variableId: 'v_Veiculo' }, outgoingEdgeId: 'e_veic', items: [
          { id: 'it_mota', content: 'Mota', outgoingEdgeId: 'e_mota' },
          { id: 'it_carro', content: 'Carro', value: 'car' },
          { id: 'it_bic', content: 'Bicicleta' },
        ] },
      ] },
      { id: 'g_mota', title: 'Mota', blocks: [{ ...bubble('b_mota', p('Precisa da categoria A.')), outgoingEdgeId: 'e_mota_doc' }] },
      { id: 'g_doc', title: 'Documento', blocks: [
        { id: 'b_doc', type: 'file input', outgoingEdgeId: 'e_doc', options: { variableId: 'v_Carta', isRequired: true, isMultipleAllowed: false, allowedFileTypes: { isEnabled: true, types: ['jpg', 'jpeg', 'png', 'pdf'] } } },
      ] },
      { id: 'g_conf', title: 'Confirmação', blocks: [
        { id: 'b_conf', type: 'choice input', options: { variableId: 'v_Confirmacao' }, items: [{ id: 'it_ok', content: 'Confirmar' }, { id: 'it_fix', content: 'Corrigir' }] },
        { id: 'b_fix', type: 'Condition', items: [{ id: 'it_fix_cond', content: equalTo('v_Confirmacao', 'Corrigir'), outgoingEdgeId: 'e_fix' }], outgoingEdgeId: 'e_send' },
      ] },
      { id: 'g_send', title: 'Envio', blocks: [
        { id: 'b_origem', type: 'Set variable', options: { variableId: 'v_Origem', isCode: true, expressionToEvaluate: '"whatsapp"' } },
        { id: 'b_post', type: 'Webhook', options: {
          isCustomBody: true,
          timeout: timeoutSeconds,
          webhook: {
            method: 'POST',
            url: '{{UrlRegisto}}',
            headers: [{ id: 'h1', key: 'X-Onboarding-Token', value: 'segredo-de-teste' }],
            queryParams: [{ id: 'q1', key: 'origem', value: '{{Origem}}' }],
            body: '{"nome": "{{Nome}}", "email": "{{Email}}", "telefone": "{{Telefone}}", "veiculo": "{{Veiculo}}", "carta": "{{Carta}}", "nada": "{{Motorista}}"}',
          },
          responseVariableMapping: [{ id: 'm1', variableId: 'v_Estado', bodyPath: 'statusCode' }, { id: 'm2', variableId: 'v_Motorista', bodyPath: 'data.driverId' }],
        } },
        { id: 'b_ok', type: 'Condition', items: [{ id: 'it_created', content: equalTo('v_Estado', '201'), outgoingEdgeId: 'e_ok' }], outgoingEdgeId: 'e_fail' },
      ] },
      { id: 'g_ok', title: 'Fim', blocks: [bubble('b_fim', p('Registo {{Motorista}} recebido.'))] },
      { id: 'g_fail', title: 'Erro', blocks: [bubble('b_erro', p('O registo falhou ({{Estado}}).'))] },
    ],
    edges: [
      edge('e_start', { eventId: 'ev_start' }, 'g_start'),
      edge('e_nome', { blockId: 'b_nome' }, 'g_email'),
      edge('e_email', { blockId: 'b_email' }, 'g_tel'),
      edge('e_tel', { blockId: 'b_tel' }, 'g_veic'),
      edge('e_mota', { blockId: 'b_veic', itemId: 'it_mota' }, 'g_mota'),
      edge('e_veic', { blockId: 'b_veic' }, 'g_doc'),
      edge('e_mota_doc', { blockId: 'b_mota' }, 'g_doc'),
      edge('e_doc', { blockId: 'b_doc' }, 'g_conf'),
      edge('e_fix', { blockId: 'b_fix', itemId: 'it_fix_cond' }, 'g_email'),
      edge('e_send', { blockId: 'b_fix' }, 'g_send'),
      edge('e_ok', { blockId: 'b_ok', itemId: 'it_created' }, 'g_ok'),
      edge('e_fail', { blockId: 'b_ok' }, 'g_fail'),
    ],
  };
}

async function simulator(t: TestContext, options: Partial<TypebotSimulatorOptions> = {}): Promise<TypebotSimulator> {
  const sim = await startTypebotSimulator({ flow: registrationFlow(), ...options });
  t.after(() => sim.close());
  return sim;
}

async function post<T = ChatAnswer>(url: string, body: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as T };
}

/** A chat client: startChat, then `say` for each reply (markdown bubbles unless told otherwise). */
async function chat(sim: TypebotSimulator, prefilledVariables: Record<string, string> = { ContactName: 'Rui' }) {
  const started = await post(`${sim.url}/api/v1/typebots/${sim.publicId}/startChat`, { textBubbleContentFormat: 'markdown', prefilledVariables });
  assert.equal(started.status, 200);
  const sessionId = started.body.sessionId ?? '';
  const say = async (text: string, extra: object = {}) => {
    const answer = await post(`${sim.url}/api/v1/sessions/${sessionId}/continueChat`, { message: { type: 'text', text, ...extra }, textBubbleContentFormat: 'markdown' });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body;
  };
  return { sessionId, started: started.body, say };
}

const texts = (body: ChatAnswer): string[] => body.messages.filter((m) => m.type === 'text').map((m) => m.content.markdown ?? '');

/** generate-upload-url, then the browser-upload POST to the bucket; returns the file's URL. */
async function upload(sim: TypebotSimulator, sessionId: string, file: { name: string; type: string; bytes: Buffer }): Promise<string> {
  const granted = await post<UploadGrant>(`${sim.url}/api/v3/generate-upload-url`, { sessionId, blockId: 'b_doc', fileName: file.name, fileType: file.type, fileSize: file.bytes.length });
  assert.equal(granted.status, 200, JSON.stringify(granted.body));
  const form = new FormData();
  for (const [key, value] of Object.entries(granted.body.formData)) form.append(key, value);
  form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  const stored = await fetch(granted.body.presignedUrl, { method: 'POST', body: form });
  assert.equal(stored.status, 204);
  return granted.body.fileUrl;
}

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);

/** Name, email, phone, vehicle and document: the chat then waits on the confirmation. */
async function answerUpToConfirmation(sim: TypebotSimulator, name = 'Rui Almeida', prefilled: Record<string, string> = { ContactName: 'Rui' }) {
  const client = await chat(sim, prefilled);
  await client.say(name);
  await client.say('rui@exemplo.pt');
  await client.say('912345678');
  await client.say('Carro');
  const fileUrl = await upload(sim, client.sessionId, { name: 'carta.jpg', type: 'image/jpeg', bytes: JPEG });
  const atConfirmation = await client.say(fileUrl);
  assert.equal(atConfirmation.input?.id, 'b_conf');
  return { ...client, fileUrl };
}

/** Where the HTTP Request block posts: records requests, answers `status` with `body` after `delayMs`. */
async function receiver(t: TestContext, answer: { status: number; body: object; delayMs?: number }) {
  const app = Fastify();
  const received: Array<{ url: string; headers: Record<string, unknown>; body: unknown }> = [];
  app.post('/onboarding', async (request, reply) => {
    received.push({ url: request.url, headers: request.headers, body: request.body });
    if (answer.delayMs !== undefined) await sleep(answer.delayMs);
    return reply.code(answer.status).send(answer.body);
  });
  await app.listen({ port: 0, host: 'localhost' });
  t.after(() => app.close());
  const port = (app.server.address() as { port: number }).port;
  return { received, port, url: `http://localhost:${port}/onboarding` };
}

test('startChat answers the opening bubbles and waits on the first input', async (t) => {
  const sim = await simulator(t);
  const { started, sessionId } = await chat(sim);
  assert.deepEqual(texts(started), ['Olá **Rui**!\n\n_Vamos começar._']);
  assert.deepEqual(started.messages[1], { id: 'b_logo', type: 'image', content: { url: 'https://cdn.example.pt/logo.png' } });
  assert.deepEqual(started.input, { id: 'b_nome', type: 'text input', options: { variableId: 'v_Nome' }, outgoingEdgeId: 'e_nome' });
  assert.equal(started.typebot?.version, '6.1');
  assert.match(started.resultId ?? '', /^c[a-z0-9]{23}$/);
  assert.equal('clientSideActions' in started, false, 'startChat leaves out an empty clientSideActions');
  assert.deepEqual(sim.sessions().map((s) => [s.id, s.currentBlockId]), [[sessionId, 'b_nome']]);
});

test('rich text keeps its marks and gets the variables filled in', async (t) => {
  const sim = await simulator(t);
  const { body } = await post(`${sim.url}/api/v1/typebots/${sim.publicId}/startChat`, { prefilledVariables: { ContactName: 'Rui', Desconhecida: 'x' } });
  assert.deepEqual(body.messages[0]?.content, {
    type: 'richText',
    richText: [p('Olá ', { text: 'Rui', bold: true }, '!'), p(''), p({ text: 'Vamos começar.', italic: true })],
  });
});

test('an unknown bot and an unknown session answer the real 404 bodies', async (t) => {
  const sim = await simulator(t);
  const unknownBot = await post(`${sim.url}/api/v1/typebots/outro-bot/startChat`, {});
  assert.deepEqual(unknownBot, { status: 404, body: { defined: true, code: 'NOT_FOUND', status: 404, message: 'Typebot not found' } });
  const unknownSession = await post(`${sim.url}/api/v1/sessions/cnotasession0000000000000/continueChat`, { message: { type: 'text', text: 'olá' } });
  assert.deepEqual(unknownSession, { status: 404, body: { defined: true, code: 'NOT_FOUND', status: 404, message: 'Session not found.' } });
});

test('an invalid email gets Typebot\'s default retry message and the same input; a valid one is lower-cased', async (t) => {
  const sim = await simulator(t);
  const { say } = await chat(sim);
  await say('Rui Almeida');
  const retry = await say('rui@exemplo');
  assert.deepEqual(retry, {
    messages: [{ id: 'b_email', type: 'text', content: { type: 'markdown', markdown: "This email doesn't seem to be valid. Can you type it again?" } }],
    input: { id: 'b_email', type: 'email input', options: { variableId: 'v_Email' }, outgoingEdgeId: 'e_email' },
  });
  const next = await say('Rui@Exemplo.PT');
  assert.equal(next.lastMessageNewFormat, 'rui@exemplo.pt');
  assert.equal(next.input?.id, 'b_tel');
  assert.equal(sim.sessions()[0]?.variables.Email, 'rui@exemplo.pt');
});

test('a phone number is retried with the block\'s message and stored as E.164', async (t) => {
  const sim = await simulator(t);
  const { say } = await chat(sim);
  await say('Rui');
  await say('rui@exemplo.pt');
  assert.deepEqual(texts(await say('91234567')), ['Número inválido, Rui.']);
  const next = await say('+351 912 345 678');
  assert.equal(next.lastMessageNewFormat, '+351912345678');
  assert.equal(sim.sessions()[0]?.variables.Telefone, '+351912345678');
});

test('a choice matches an exact label or value, case-sensitive; "1" is invalid; an item\'s edge is followed', async (t) => {
  const sim = await simulator(t);
  const first = await chat(sim);
  for (const reply of ['Rui', 'rui@exemplo.pt', '912345678']) await first.say(reply);
  for (const invalid of ['1', 'carro']) {
    const retry = await first.say(invalid);
    assert.deepEqual(texts(retry), ['Invalid message. Please, try again.']);
    assert.equal(retry.input?.id, 'b_veic');
  }
  const byLabel = await first.say('  Carro ');
  assert.equal(byLabel.lastMessageNewFormat, 'car', 'the stored answer is the item value');
  assert.deepEqual(texts(byLabel), [], 'Carro has no edge of its own: the block edge, no Mota bubble');
  assert.equal(byLabel.input?.id, 'b_doc');

  const second = await chat(sim);
  for (const reply of ['Ana', 'ana@exemplo.pt', '912345678']) await second.say(reply);
  const byReplyId = await second.say('não é um rótulo', { metadata: { replyId: 'it_mota' } });
  assert.deepEqual(texts(byReplyId), ['Precisa da categoria A.']);
  assert.equal(sim.sessions().find((s) => s.id === second.sessionId)?.variables.Veiculo, 'Mota');
});

test('a file input is answered through generate-upload-url, the bucket and the file\'s URL', async (t) => {
  const sim = await simulator(t);
  const { sessionId, say } = await chat(sim);
  const askUrl = (body: object) => post<UploadGrant>(`${sim.url}/api/v3/generate-upload-url`, { sessionId, blockId: 'b_doc', fileName: 'carta.jpg', ...body });
  const early = await askUrl({ fileType: 'image/jpeg' });
  assert.deepEqual(early, { status: 400, body: { defined: true, code: 'BAD_REQUEST', status: 400, message: 'Current block does not expect file upload' } });
  for (const reply of ['Rui', 'rui@exemplo.pt', '912345678', 'Carro']) await say(reply);

  assert.equal((await askUrl({ fileType: 'application/x-msdownload' })).body.message, 'File type application/x-msdownload not allowed');
  assert.equal((await askUrl({ fileType: 'image/jpeg', fileSize: 11 * 1024 * 1024 })).body.message, 'File size exceeds the 10MB limit');
  const granted = await askUrl({ fileType: 'image/jpeg', fileSize: JPEG.length });
  assert.equal(granted.body.maxFileSize, 10);
  assert.equal(granted.body.presignedUrl, `${sim.url}/typebot`);
  const tampered = new FormData();
  for (const [key, value] of Object.entries(granted.body.formData)) tampered.append(key, key === 'Content-Type' ? 'text/html' : value);
  tampered.append('file', new Blob([new Uint8Array(JPEG)]), 'carta.jpg');
  const refused = await fetch(granted.body.presignedUrl, { method: 'POST', body: tampered });
  assert.equal(refused.status, 403);
  assert.match(await refused.text(), /<Code>AccessDenied<\/Code>/);

  const fileUrl = await upload(sim, sessionId, { name: 'carta.jpg', type: 'image/jpeg', bytes: JPEG });
  const download = await fetch(fileUrl);
  assert.equal(download.headers.get('content-type'), 'image/jpeg');
  assert.deepEqual(Buffer.from(await download.arrayBuffer()), JPEG);

  assert.deepEqual(texts(await say('a minha carta')), ['Invalid message. Please, try again.']);
  assert.deepEqual(texts(await say('https://cdn.example.pt/virus.exe')), ['Invalid message. Please, try again.']);
  const accepted = await say(`${fileUrl}, https://cdn.example.pt/verso.jpg`);
  assert.equal(accepted.input?.id, 'b_conf');
  assert.equal(sim.sessions()[0]?.variables.Carta, fileUrl, 'only the first URL is kept');
  assert.deepEqual(sim.uploads().map((u) => [u.fileUrl, u.size]), [[fileUrl, JPEG.length]]);
});

test('a Condition sends the chat back to an earlier group', async (t) => {
  const sim = await simulator(t);
  const { say } = await answerUpToConfirmation(sim);
  const back = await say('Corrigir');
  assert.equal(back.input?.id, 'b_email');
  assert.equal(sim.webhookCalls().length, 0);
});

test('the HTTP Request block posts the escaped custom body, maps the answer, and the ended chat is gone', async (t) => {
  const target = await receiver(t, { status: 201, body: { driverId: 'drv-42' } });
  const sim = await simulator(t, { developmentMode: true });
  const { say, sessionId } = await answerUpToConfirmation(sim, 'Rui "Zé" Almeida', { ContactName: 'Rui', UrlRegisto: target.url });
  const last = await say('Confirmar');
  assert.deepEqual(last, { messages: [{ id: 'b_fim', type: 'text', content: { type: 'markdown', markdown: 'Registo drv-42 recebido.' } }], clientSideActions: [], logs: [] });

  assert.equal(target.received.length, 1);
  const [request] = target.received;
  assert.equal(request?.url, '/onboarding?origem=whatsapp');
  assert.equal(request?.headers['x-onboarding-token'], 'segredo-de-teste');
  assert.equal(request?.headers['content-type'], 'application/json');
  assert.deepEqual(request?.body, { nome: 'Rui "Zé" Almeida', email: 'rui@exemplo.pt', telefone: '+351912345678', veiculo: 'car', carta: sim.uploads()[0]?.fileUrl, nada: '' });
  assert.deepEqual(sim.webhookCalls().map((call) => [call.url, call.statusCode]), [[`${target.url}?origem=whatsapp`, 201]]);

  const [result] = sim.results();
  assert.equal(result?.isCompleted, true);
  assert.equal(result?.answers.Nome, 'Rui "Zé" Almeida');
  assert.equal(result?.variables.Motorista, 'drv-42');
  assert.deepEqual(result?.logs.map((log) => log.description), ['Webhook successfuly executed.']);
  assert.deepEqual(sim.sessions(), []);
  const after = await post(`${sim.url}/api/v1/sessions/${sessionId}/continueChat`, { message: { type: 'text', text: 'olá' } });
  assert.deepEqual(after, { status: 404, body: { defined: true, code: 'NOT_FOUND', status: 404, message: 'Session not found.' } });
});

test('outside development mode the SSRF guard refuses localhost, and loopback even when allowed by SSRF_ALLOWED_HOSTS', async (t) => {
  const target = await receiver(t, { status: 201, body: { driverId: 'drv-1' } });
  const sim = await simulator(t, { ssrfAllowedHosts: ['127.0.0.1', 'localhost'] });
  const cases = [
    [target.url, 'Security validation failed: Access to localhost is not allowed for security reasons.'],
    [`http://127.0.0.1:${target.port}/onboarding`, 'Security validation failed: Access to loopback addresses (127.0.0.0/8) is not allowed for security reasons.'],
  ] as const;
  for (const [url, log] of cases) {
    const { say } = await answerUpToConfirmation(sim, 'Rui', { UrlRegisto: url });
    const last = await say('Confirmar');
    assert.deepEqual(texts(last), ['O registo falhou (400).']);
    assert.deepEqual(last.logs, [{ status: 'error', description: log }]);
  }
  assert.equal(target.received.length, 0);
});

test('an error answer does not stop the flow and its log stays out of the chat; a slow one times out as 408', async (t) => {
  const refusing = await receiver(t, { status: 422, body: { error: 'NIF inválido' } });
  const sim = await simulator(t, { developmentMode: true });
  const refused = await answerUpToConfirmation(sim, 'Rui', { UrlRegisto: refusing.url });
  const afterRefusal = await refused.say('Confirmar');
  assert.deepEqual(texts(afterRefusal), ['O registo falhou (422).']);
  assert.deepEqual(afterRefusal.logs, []);
  assert.deepEqual(sim.results().find((r) => r.sessionId === refused.sessionId)?.logs.map((l) => l.description), ['Webhook returned an error.']);

  const slow = await receiver(t, { status: 201, body: { driverId: 'drv-9' }, delayMs: 1_500 });
  const slowSim = await startTypebotSimulator({ flow: registrationFlow(1), developmentMode: true });
  t.after(() => slowSim.close());
  const timedOut = await answerUpToConfirmation(slowSim, 'Rui', { UrlRegisto: slow.url });
  const afterTimeout = await timedOut.say('Confirmar');
  assert.deepEqual(texts(afterTimeout), ['O registo falhou (408).']);
  assert.deepEqual(afterTimeout.logs?.map((log) => log.description), ['Webhook request timed out. (1s)']);
});

test('a session idle longer than the configured expiry answers 404 Session expired', async (t) => {
  let now = new Date('2026-05-01T10:00:00Z');
  const sim = await simulator(t, { sessionExpiryMs: 60_000, now: () => now });
  const { say, sessionId } = await chat(sim);
  await say('Rui');
  now = new Date('2026-05-01T10:01:30Z');
  const expired = await post(`${sim.url}/api/v1/sessions/${sessionId}/continueChat`, { message: { type: 'text', text: 'rui@exemplo.pt' } });
  assert.deepEqual(expired.body, { defined: true, code: 'NOT_FOUND', status: 404, message: 'Session expired. You need to start a new session.' });
});

test('a bare string is a text reply; a body outside the schema answers 400', async (t) => {
  const sim = await simulator(t);
  const { sessionId } = await chat(sim);
  const bare = await post(`${sim.url}/api/v1/sessions/${sessionId}/continueChat`, { message: 'Rui Almeida' });
  assert.equal(bare.body.input?.id, 'b_email');
  const invalid = await post(`${sim.url}/api/v1/typebots/${sim.publicId}/startChat`, { textBubbleContentFormat: 'html' });
  assert.equal(invalid.status, 400);
  assert.equal(invalid.body.code, 'BAD_REQUEST');
  assert.equal(invalid.body.message, 'Input validation failed');
});

test('faults: queued failures answer as the proxy and the viewer do; down resets connections', async (t) => {
  const sim = await simulator(t);
  sim.faults.failNext(1, 503);
  sim.faults.failNext(1, 500);
  const unavailable = await fetch(`${sim.url}/api/v1/typebots/${sim.publicId}/startChat`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  assert.equal(unavailable.status, 503);
  assert.match(await unavailable.text(), /503 Service Temporarily Unavailable/);
  const failed = await post(`${sim.url}/api/v1/typebots/${sim.publicId}/startChat`, {});
  assert.deepEqual(failed, { status: 500, body: { defined: true, code: 'INTERNAL_SERVER_ERROR', status: 500, message: 'Internal server error' } });
  sim.faults.down = true;
  await assert.rejects(fetch(`${sim.url}/api/v1/typebots/${sim.publicId}/startChat`, { method: 'POST' }), TypeError);
  sim.faults.down = false;
  assert.equal((await post(`${sim.url}/api/v1/typebots/${sim.publicId}/startChat`, {})).status, 200);
});
