/**
 * The driver registration flow (docs/typebot-flows/cadastro-motorista.json) played as
 * conversations through the Typebot simulator's Chat API, its HTTP Request blocks posting for
 * real to a local stand-in for the registration API: the answer check answers with the domain's
 * own validators (documents: valid unless a test names the file bad), the intake as each test
 * scripts it; every request is recorded.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { documentKindOfField, isAnswerField, validateAnswer } from '../../domain/registration-submission.ts';
import { documentContentErrors, documentLabels } from '../../domain/texts/documents.ts';
import { nameErrors, nifErrors, postalCodeErrors } from '../../domain/texts/intake.ts';
import { startTypebotSimulator, type TypebotSimulator } from '../simulators/typebot/index.ts';
import { registrationFlow, type TypebotBlock, type TypebotFlow } from '../support/typebot-flow.ts';

type Scripted = { status: number; body: object } | 'no answer';
interface Received { method: string; path: string; contentType: string | undefined; body: unknown }

const intakePath = '/drivers/register-typebot/';
const checkPath = '/drivers/validate-typebot/';
const correctionPath = '/drivers/correction-typebot/';

/** The answer check's reply, as the API gives it: the domain's validators, and documents named bad by a test. */
function answerCheck(body: unknown, badFiles: Map<string, string>): object {
  const { campo, valor } = (typeof body === 'object' && body !== null ? body : {}) as { campo?: string; valor?: unknown };
  if (campo !== undefined && isAnswerField(campo)) {
    const checked = validateAnswer(campo, valor);
    return checked.ok ? { valido: true, valor: checked.value, erro: '' } : { valido: false, valor: '', erro: checked.error };
  }
  if (campo === undefined || documentKindOfField(campo) === undefined) return { success: false, error: 'Campo desconhecido.' };
  const bad = badFiles.get(String(valor));
  return bad === undefined ? { valido: true, valor: String(valor), erro: '' } : { valido: false, valor: '', erro: bad };
}

/** Where the flow posts answers and registrations: checks answers, answers each conversation's registration (by `sessao_conversa`) as scripted. */
async function startRegistrationApi() {
  const scripts = new Map<string, Scripted[]>();
  const badFiles = new Map<string, string>();
  const corrections = new Map<string, object>();
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
      if (request.url === checkPath) return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answerCheck(body, badFiles)));
      if (request.url === correctionPath) {
        const opening = corrections.get(String(conversationOf(body)));
        if (opening === undefined) return void response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ success: false, error: 'Nada a corrigir.', fields: {} }));
        return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(opening));
      }
      const reply = scripts.get(String(conversationOf(body)))?.shift() ?? { status: 500, body: { success: false, error: 'Pedido sem resposta prevista.' } };
      if (reply === 'no answer') return; // held open until the caller gives up
      response.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}${intakePath}`,
    script: (conversation: string, ...replies: Scripted[]) => { scripts.set(conversation, replies); },
    /** The correction's opening answers this conversation with `opening` (else 404). */
    correction: (conversation: string, opening: object) => { corrections.set(conversation, opening); },
    /** The answer check refuses this file's address with `error`. */
    badFile: (url: string, error: string) => { badFiles.set(url, error); },
    /** The registrations posted in a conversation. */
    received: (conversation: string) => received.filter((r) => r.path === intakePath && conversationOf(r.body) === conversation),
    /** The answers checked in a conversation, as `campo=valor`. */
    checked: (conversation: string) => received.filter((r) => r.path === checkPath && conversationOf(r.body) === conversation)
      .map((r) => { const { campo, valor } = r.body as { campo: string; valor: string }; return `${campo}=${valor}`; }),
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
async function converse(
  sim: TypebotSimulator, flow: TypebotFlow, conversation: string, script: string[],
  prefilledVariables: Record<string, string> = { WhatsApp: '+351912345678', ContactName: 'Rui', SessaoConversa: conversation },
) {
  const answers = [...script];
  const turns: Turn[] = [];
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
/** What the registration API receives: each answer as the answer check normalised it, and the link token. */
const posted = (answers: typeof driver, conversation: string, code = '') =>
  ({ ...answers, nif: answers.nif.replace(/\s/g, ''), telefone: '+351912345678', sessao_conversa: conversation, codigo_correcao: code });
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

  void it('checks each answer as it is given and asks again, with the intake\'s sentence, until it is valid', async () => {
    const id = conversationId();
    api.script(id, accepted);
    const answers = ['Começar', 'Rui', '1', driver.nome_completo, '256 789 123', '501 234 560', driver.nif, driver.telefone, driver.email, driver.morada,
      '12345', '4050262', ...answersOf(driver).slice(6), 'Confirmar'];
    const c = await converse(sim, flow, id, answers);
    assert.deepEqual(c.asked.slice(1, 12), ['nome_completo', 'nome_completo', 'nome_completo', 'nif', 'nif', 'nif', 'telefone', 'email', 'morada', 'codigo_postal', 'codigo_postal']);
    for (const sentence of [nameErrors.oneWord, nameErrors.digits, nifErrors.checkDigit, nifErrors.notPerson, postalCodeErrors.format]) {
      assert.ok(c.said.includes(sentence), `the driver was told «${sentence}»`);
    }
    assert.equal(c.said.filter((text) => text.startsWith('Confirme os seus dados')).length, 1, 'no invalid answer reached the summary');
    // Normalised by the check: what the summary shows and the intake receives.
    assert.deepEqual(api.received(id).map((r) => r.body), [{ ...posted(driver, id), codigo_postal: '4050-262' }]);
    assert.equal(api.checked(id).length, answers.length - 2, 'every answer but «Começar» and «Confirmar» checked');
  });

  void it('asks again for a document the check refuses, saying why', async () => {
    const id = conversationId();
    api.script(id, accepted);
    const unreadable = 'https://files.example.pt/ecra-do-ecra.jpg';
    const reason = documentContentErrors.notAnImage(documentLabels.licence_back);
    api.badFile(unreadable, reason);
    const c = await converse(sim, flow, id, ['Começar', ...answersOf(driver).slice(0, 8), unreadable, driver.cnh_verso, driver.comprovante_morada, 'Confirmar']);
    assert.deepEqual(c.asked.filter((name) => name === 'cnh_verso'), ['cnh_verso', 'cnh_verso']);
    assert.ok(c.said.includes(reason), 'the driver was told why');
    assert.deepEqual(api.received(id).map((r) => r.body), [posted(driver, id)]);
  });

  void it('"Corrigir" → NIF → a new NIF: the summary shows it, nothing else is asked again', async () => {
    const id = conversationId();
    api.script(id, accepted);
    const corrected = { ...driver, nif: '234 567 899' };
    const c = await converse(sim, flow, id, ['Começar', ...answersOf(driver), 'Corrigir', 'NIF', corrected.nif, 'Confirmar']);
    assert.deepEqual(c.asked, ['b_comecar', ...roadmap, 'confirmacao', 'item_corrigir', 'nif', 'confirmacao']);
    const summaries = c.said.filter((text) => text.startsWith('Confirme os seus dados'));
    assert.equal(summaries.length, 2);
    assert.match(summaries[1] ?? '', /NIF: 234567899/);
    assert.deepEqual(api.received(id).map((r) => r.body), [posted(corrected, id)]);
    // The measure the issue asks for: messages a driver sends to register with one NIF typo caught.
    const typo = conversationId();
    api.script(typo, accepted);
    const withTypo = ['Começar', driver.nome_completo, '123 456 788', ...answersOf(driver).slice(1), 'Confirmar'];
    await converse(sim, flow, typo, withTypo);
    console.log(`Messages a driver sends to register with one NIF typo: ${withTypo.length} (the whole form again after the refusal, before: 24)`);
  });

  void it('a correction opens from the API and asks only the answers it names, in the form\'s order, then the summary; the documents not redone go as kept', async () => {
    const id = conversationId();
    const current = { ...driver, nif: '123456789', telefone: '+351912345678', cnh_frente: 'mantido', cnh_verso: 'mantido', comprovante_morada: 'mantido' };
    const flags = Object.fromEntries(roadmap.map((name) => [name, name === 'cnh_verso' || name === 'codigo_postal' ? 'sim' : '']));
    api.correction(id, { encontrado: true, texto: 'Vamos corrigir o seu registo.', respostas: current, corrigir: flags });
    api.script(id, { status: 200, body: { success: true, registration_id: 'reg_1', status: 'pending_approval' } });
    const newBack = 'https://files.example.pt/cnh-verso-nitida.jpg';
    const prefilledVariables = { WhatsApp: '+351912345678', SessaoConversa: id, Correcao: 'sim' };
    const c = await converse(sim, flow, id, ['4000-123', newBack, 'Corrigir', 'Cidade', 'Matosinhos', 'Confirmar'], prefilledVariables);
    assert.deepEqual(c.asked, ['codigo_postal', 'cnh_verso', 'confirmacao', 'item_corrigir', 'cidade', 'confirmacao'], 'the two items, then the driver\'s own correction');
    assert.equal(c.said[0], 'Vamos corrigir o seu registo.', 'no greeting');
    assert.match(c.said.filter((text) => text.startsWith('Confirme os seus dados')).at(-1) ?? '', /Código postal: 4000-123[\s\S]*Cidade: Matosinhos/);
    assert.deepEqual(api.received(id).map((r) => r.body), [{ ...current, codigo_postal: '4000-123', cidade: 'Matosinhos', cnh_verso: newBack, sessao_conversa: id, codigo_correcao: '' }]);

    const closed = conversationId();
    const refused = await converse(sim, flow, closed, [], { SessaoConversa: closed, Correcao: 'sim' });
    assert.deepEqual(refused.said, ['Não foi possível abrir a correção do seu registo. Nada a corrigir.']);
    assert.deepEqual([refused.asked, api.received(closed)], [[], []]);
  });

  void it('a refusal at submission goes to the answer it names; one without a field, or a timeout, back to the confirmation', async (t) => {
    // The flow waits 60 s for the API; this copy waits 1 s, so the timeout (408) happens within the test.
    const impatient = structuredClone(flow);
    const http = impatient.groups.flatMap((g) => g.blocks).find((b) => b.id === 'b_enviar_registo') as TypebotBlock;
    http.options = { ...http.options, timeout: 1 };
    const impatientSim = await startTypebotSimulator({ flow: impatient, developmentMode: true });
    t.after(() => impatientSim.close());
    const id = conversationId();
    const taken = 'Este NIF já tem um registo.';
    api.script(id, { status: 409, body: { success: false, error: taken, fields: { nif: taken }, campo: 'nif' } }, 'no answer',
      { status: 503, body: { success: false, error: 'O serviço está temporariamente indisponível.', fields: {} } }, accepted);
    const other = { ...driver, nif: '234 567 899' };
    const c = await converse(impatientSim, impatient, id, ['Começar', ...answersOf(driver), 'Confirmar', other.nif, 'Confirmar', 'Confirmar', 'Confirmar']);
    assert.deepEqual(c.asked.slice(11), ['confirmacao', 'nif', 'confirmacao', 'confirmacao', 'confirmacao']);
    assert.deepEqual(api.received(id).map((r) => r.body), [posted(driver, id), posted(other, id), posted(other, id), posted(other, id)]);
    const failures = c.said.filter((text) => text.startsWith('Não foi possível concluir o seu registo.'));
    assert.deepEqual(failures, [`Não foi possível concluir o seu registo. ${taken}`, 'Não foi possível concluir o seu registo. ', 'Não foi possível concluir o seu registo. O serviço está temporariamente indisponível.']);
    assert.match(c.said.at(-1) ?? '', /Recebemos o seu registo/);
  });
});
