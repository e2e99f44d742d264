/**
 * The driver registration flow (docs/typebot-flows/cadastro-motorista.json) played as
 * conversations through the Typebot simulator's Chat API, its HTTP Request block posting for
 * real to a local stand-in for the registration API that records each request and answers as
 * each test scripts it.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTypebotSimulator, type TypebotSimulator } from '../simulators/typebot/index.ts';
import { registrationFlow, type TypebotBlock, type TypebotFlow } from '../support/typebot-flow.ts';

type Scripted = { status: number; body: object } | 'no answer';
interface Received { method: string; path: string; contentType: string | undefined; body: unknown }

/** Where the flow posts registrations: answers each conversation (by `sessao_conversa`) as scripted. */
async function startRegistrationApi() {
  const scripts = new Map<string, Scripted[]>();
  const received: Received[] = [];
  const conversationOf = (body: unknown) => (typeof body === 'object' && body !== null && 'sessao_conversa' in body ? body.sessao_conversa : undefined);
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try { body = JSON.parse(text); } catch { /* recorded as text */ }
      received.push({ method: request.method ?? '', path: request.url ?? '', contentType: request.headers['content-type'], body });
      const reply = scripts.get(String(conversationOf(body)))?.shift() ?? { status: 500, body: { success: false, error: 'Pedido sem resposta prevista.' } };
      if (reply === 'no answer') return; // held open until the caller gives up
      response.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}/drivers/register-typebot/`,
    script: (conversation: string, ...replies: Scripted[]) => { scripts.set(conversation, replies); },
    received: (conversation: string) => received.filter((r) => conversationOf(r.body) === conversation),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

interface ChatAnswer {
  sessionId?: string;
  messages: Array<{ id: string; content: { markdown?: string } }>;
  input?: { id: string; options?: { variableId?: string } };
}
type Turn = { bot: string } | { asked: string; answer: string };

async function post(url: string, body: object): Promise<ChatAnswer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await response.json()) as ChatAnswer;
  assert.equal(response.status, 200, JSON.stringify(answer));
  return answer;
}

/** Starts a chat and answers each input in turn, until the bot stops asking; every answer must be used. */
async function converse(sim: TypebotSimulator, flow: TypebotFlow, conversation: string, script: string[]) {
  const answers = [...script];
  const turns: Turn[] = [];
  const prefilledVariables = { WhatsApp: '+351912345678', ContactName: 'Rui', SessaoConversa: conversation };
  let reply = await post(`${sim.url}/api/v1/typebots/${sim.publicId}/startChat`, { textBubbleContentFormat: 'markdown', prefilledVariables });
  const sessionId = reply.sessionId ?? assert.fail('startChat answered no sessionId');
  let lastBlockId: string | undefined;
  for (let input = reply.input; ; input = reply.input) {
    turns.push(...reply.messages.map((message) => ({ bot: message.content.markdown ?? '' })));
    lastBlockId = reply.messages.at(-1)?.id ?? lastBlockId;
    if (input === undefined) break;
    const answer = answers.shift() ?? assert.fail(`the bot waits at ${input.id} but no answers are left`);
    turns.push({ asked: flow.variables.find((v) => v.id === input.options?.variableId)?.name ?? input.id, answer });
    reply = await post(`${sim.url}/api/v1/sessions/${sessionId}/continueChat`, { message: { type: 'text', text: answer }, textBubbleContentFormat: 'markdown' });
  }
  assert.deepEqual(answers, [], 'the chat ended with answers left');
  const result = sim.results().find((r) => r.sessionId === sessionId);
  return {
    asked: turns.flatMap((t) => ('asked' in t ? [t.asked] : [])),
    said: turns.flatMap((t) => ('bot' in t ? [t.bot] : [])),
    lastBlockId, isCompleted: result?.isCompleted, variables: result?.variables ?? {},
  };
}

const roadmap = ['nome_completo', 'nif', 'telefone', 'email', 'morada', 'codigo_postal', 'cidade', 'cnh_frente', 'cnh_verso', 'comprovante_morada'] as const;
const driver = {
  nome_completo: 'Rui Manuel Almeida', nif: '123 456 789', telefone: '912 345 678', email: 'rui.almeida@exemplo.pt',
  morada: 'Rua D. "Nova", 12, 3.º Esq.', codigo_postal: '4050-262', cidade: 'Porto',
  cnh_frente: 'https://files.example.pt/cnh-frente.jpg', cnh_verso: 'https://files.example.pt/cnh-verso.heic',
  comprovante_morada: 'https://files.example.pt/fatura-luz.pdf',
};
const answersOf = (answers: typeof driver) => roadmap.map((name) => answers[name]);
/** What the registration API receives: Typebot stores the phone as E.164, and adds the link token. */
const posted = (answers: typeof driver, conversation: string) => ({ ...answers, telefone: '+351912345678', sessao_conversa: conversation });
const accepted: Scripted = { status: 201, body: { success: true, registration_id: 'reg_1', status: 'pending_approval' } };

void describe('Typebot flow "Cadastro de motorista" played through the Typebot simulator', () => {
  let api: Awaited<ReturnType<typeof startRegistrationApi>>;
  let flow: TypebotFlow;
  let sim: TypebotSimulator;
  let count = 0;
  const conversationId = () => `lnk_conversa_${++count}`;
  before(async () => {
    api = await startRegistrationApi();
    flow = await registrationFlow(api.url);
    sim = await startTypebotSimulator({ flow, developmentMode: true });
  });
  after(async () => {
    await sim.close();
    await api.close();
  });

  void it('greets the contact, asks in the roadmap\'s order, posts the API\'s field names and closes', async () => {
    const id = conversationId();
    api.script(id, accepted);
    const c = await converse(sim, flow, id, ['Começar', ...answersOf(driver), 'Confirmar']);
    assert.match(c.said[0] ?? '', /^Olá, Rui!/);
    assert.deepEqual(c.asked, ['b_comecar', ...roadmap, 'confirmacao']);
    const requests = api.received(id);
    assert.deepEqual(requests.map(({ method, path, contentType }) => ({ method, path, contentType })), [{ method: 'POST', path: '/drivers/register-typebot/', contentType: 'application/json' }]);
    assert.deepEqual(requests[0]?.body, posted(driver, id));
    assert.match(c.said.at(-1) ?? '', /Recebemos o seu registo[\s\S]*48 horas[\s\S]*WhatsApp/);
    assert.deepEqual([c.lastBlockId, c.isCompleted, c.variables.registo_sucesso, c.variables.registo_estado], ['b_concluido', true, 'true', '201']);
  });

  void it('greets the contact by name when WhatsApp gives one, and never "Olá, !" when it does not', async () => {
    const welcome = async (prefilledVariables: Record<string, string>) => {
      const reply = await post(`${sim.url}/api/v1/typebots/${sim.publicId}/startChat`, { textBubbleContentFormat: 'markdown', prefilledVariables });
      return { said: reply.messages.map((message) => message.content.markdown ?? ''), waitsAt: reply.input?.id };
    };
    const named = await welcome({ WhatsApp: '+351912345678', ContactName: 'Rui', SessaoConversa: conversationId() });
    assert.match(named.said[0] ?? '', /^Olá, Rui! Obrigado pelo interesse em conduzir com a Léguas Franzinas\.$/);
    // The bridge sends an empty ContactName when WhatsApp has no name; Typebot then leaves it unset.
    for (const prefilled of [{ ContactName: '' }, {}] as Array<Record<string, string>>) {
      const nameless = await welcome({ WhatsApp: '+351912345678', ...prefilled, SessaoConversa: conversationId() });
      assert.match(nameless.said[0] ?? '', /^Olá! Obrigado pelo interesse em conduzir com a Léguas Franzinas\.$/);
      assert.doesNotMatch(nameless.said.join('\n'), /Olá,\s*[!.,]/);
      assert.deepEqual(nameless.said.slice(1), named.said.slice(1), 'the rest of the welcome is the same');
      assert.equal(nameless.waitsAt, 'b_comecar');
    }
    assert.equal(named.waitsAt, 'b_comecar');
    assert.match(named.said.slice(1).join('\n'), /registo de motorista[\s\S]*«Começar»/);
  });

  void it('asks again for a NIF without 9 digits and for a postal code not shaped 1234-567', async () => {
    const id = conversationId();
    api.script(id, accepted);
    const answers = ['Começar', driver.nome_completo, '12345', '1234567890', '123456789', driver.telefone, driver.email, driver.morada,
      '4050 262', '4050262', ...answersOf(driver).slice(6), 'Confirmar'];
    const c = await converse(sim, flow, id, answers);
    assert.deepEqual(c.asked.filter((n) => n === 'nif' || n === 'codigo_postal'), ['nif', 'nif', 'nif', 'codigo_postal', 'codigo_postal']);
    assert.equal(c.said.filter((t) => /NIF tem de ter 9 dígitos/.test(t)).length, 2);
    assert.equal(c.said.filter((t) => /formato 1234-567 \(/.test(t)).length, 1);
    assert.deepEqual(api.received(id).map((r) => r.body), [{ ...posted(driver, id), nif: '123456789', codigo_postal: '4050262' }]);
  });

  void it('"Corrigir" starts again at the full name and only the corrected answers are sent', async () => {
    const id = conversationId();
    api.script(id, accepted);
    const corrected = { ...driver, nome_completo: 'Rui Manuel Almeida Costa' };
    const c = await converse(sim, flow, id, ['Começar', ...answersOf(driver), 'Corrigir', ...answersOf(corrected), 'Confirmar']);
    assert.deepEqual(c.asked, ['b_comecar', ...roadmap, 'confirmacao', ...roadmap, 'confirmacao']);
    assert.deepEqual(api.received(id).map((r) => r.body), [posted(corrected, id)]);
  });

  void it('shows the API\'s error or a timeout, goes back to the confirmation, and sends again when confirmed', async (t) => {
    // The flow waits 60 s for the API; this copy waits 1 s, so the timeout (408) happens within the test.
    const impatient = structuredClone(flow);
    const http = impatient.groups.flatMap((g) => g.blocks).find((b) => b.type === 'Webhook') as TypebotBlock;
    http.options = { ...http.options, timeout: 1 };
    const impatientSim = await startTypebotSimulator({ flow: impatient, developmentMode: true });
    t.after(() => impatientSim.close());
    const id = conversationId();
    api.script(id, { status: 422, body: { success: false, error: 'O NIF indicado não é válido.' } }, 'no answer', accepted);
    const c = await converse(impatientSim, impatient, id, ['Começar', ...answersOf(driver), 'Confirmar', 'Confirmar', 'Confirmar']);
    assert.deepEqual(c.asked.slice(-3), ['confirmacao', 'confirmacao', 'confirmacao']);
    assert.deepEqual(api.received(id).map((r) => r.body), Array(3).fill(posted(driver, id)));
    const failures = c.said.filter((text) => text.startsWith('Não foi possível concluir o seu registo.'));
    assert.deepEqual(failures.map((text) => text.split('\n')[0]), ['Não foi possível concluir o seu registo. O NIF indicado não é válido.', 'Não foi possível concluir o seu registo. ']);
    assert.match(c.said.at(-1) ?? '', /Recebemos o seu registo/);
    assert.deepEqual(impatientSim.webhookCalls().map((call) => call.statusCode), [422, 408, 201]);
  });
});
