import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { chatEventsSignal, chatStateQuery, chatWorkflowType, type chat, type ChatEventsArgs } from '../../workflows/chat.ts';
import { chatWorkflowId } from '../../domain/chat.ts';
import { getRegistration } from '../../platform/stores/registrations.ts';
import type { ChildProcess } from 'node:child_process';
import { makeJpeg, makePhotoLikeJpeg, makePng } from '../fixtures/documents.ts';
import { botDialogue, driverAnswers } from '../support/bot-dialogue.ts';
import { killChildWorker, startChildWorker } from '../support/child-worker.ts';
import { chatwootView, newDriverPhone } from '../support/bridge-views.ts';
import { withFaults } from '../support/faults.ts';
import { flatPayload, sampleDocuments } from '../support/registration-payloads.ts';
import { eventually, useTestSystem, type TestSystem } from '../support/test-system.ts';

type Dialogue = ReturnType<typeof botDialogue>;
/** Where web drivers open the flow (REGISTRATION_FORM_URL): a correction request links there with its code. */
const formUrl = 'https://registo.leguasfranzinas.pt/cadastro-motorista';
type Answers = Awaited<ReturnType<typeof driverAnswers>>;

/** The driver answers every question of the flow up to the summary, checking each next question. */
async function answerUpToSummary(driver: Dialogue, answers: Answers): Promise<string> {
  // Each answer is checked by the API as it is given, and a wrong one asked again with the reason.
  assert.match(await driver.says('Rui'), /nome próprio e apelido/, 'a one-word name asked again');
  assert.match(await driver.says(answers.name), /NIF/);
  assert.match(await driver.says('12345'), /9 algarismos/, 'the flow asks again for a short NIF');
  assert.match(await driver.says('256 789 123'), /NIF indicado não é válido/, 'and for a NIF whose check digit is wrong');
  assert.match(await driver.says(answers.nif), /telemóvel/);
  assert.match(await driver.says(answers.phone), /email/i);
  assert.match(await driver.says('rui-at-example'), /não parece válido/, "an invalid email gets the bot's retry message");
  assert.match(await driver.says(answers.email), /morada/);
  assert.match(await driver.says(answers.address), /código postal/);
  assert.match(await driver.says(answers.postalCode), /cidade/);
  assert.match(await driver.says(answers.city), /frente da sua carta de condução/);
  const photo = (bytes: Buffer) => ({ type: 'image' as const, media: { bytes, mimetype: 'image/jpeg' } });
  assert.match(await driver.says('já envio'), /pede um ficheiro/, 'text where a photo is expected');
  const broken = Buffer.concat([answers.licenceFront.subarray(0, 300), Buffer.alloc(4000, 0x41)]);
  assert.match(await driver.says(photo(broken), 'the reason the photo was refused'), /não é uma imagem válida/, 'a photo that does not open, asked again');
  assert.match(await driver.says(photo(answers.licenceFront), 'the question for the back'), /verso/);
  assert.match(await driver.says(photo(answers.licenceBack), 'the question for the proof of address'), /comprovativo de morada/);
  const pdf = { type: 'document' as const, media: { bytes: answers.proofOfAddress, mimetype: 'application/pdf', filename: 'fatura.pdf' } };
  return driver.says(pdf, 'the summary');
}

/** Starts the bot and answers the start button: the flow then waits for the full name. */
async function startRegistration(driver: Dialogue): Promise<void> {
  const welcome = await driver.says('Olá! Quero ser motorista', 'the welcome');
  // The simulated driver has no WhatsApp name: the flow greets without one.
  assert.match(welcome, /^Olá! Obrigado pelo interesse/);
  assert.match(welcome, /registo de motorista/);
  assert.match(welcome, /1\. Começar/, 'the start button as a numbered choice');
  assert.match(await driver.says('1'), /nome completo/);
}

/** The bot's part of the chat's state, as the chat's workflow answers its state query. */
const botState = async (sut: TestSystem, phone: string) =>
  (await sut.system.temporal.workflow.getHandle(chatWorkflowId(sut.system.personal, `${phone}@c.us`)).query(chatStateQuery)).bot;

describe('registration bot in the WhatsApp conversation', () => {
  // As in production: the intake requires its secret, which the flow sends from TokenRegisto.
  const system = useTestSystem({ BRIDGE_POLLING: 'false', INTAKE_SHARED_SECRET: `test-intake-${randomUUID()}`, REGISTRATION_FORM_URL: formUrl }, { bridge: true, typebot: true });

  it('takes a driver from "quero ser motorista" to an approved registration, linked to the chat', { timeout: 180_000 }, async () => {
    const sut = system();
    const phone = newDriverPhone();
    const driver = botDialogue(sut, phone);
    const answers = await driverAnswers();
    await startRegistration(driver);
    const summary = await answerUpToSummary(driver, answers);
    assert.match(summary, /Rui Manuel Almeida/);
    assert.match(summary, /1\. Confirmar\n2\. Corrigir/);
    assert.match(await driver.says('CONFIRMAR', 'the registration to be sent'), /Recebemos o seu registo/, 'the choice matched without case');

    // The flow's HTTP Request reached the real intake, with the photos as files the intake fetched from Typebot.
    const row = await eventually(async () => {
      const found = await sut.system.db.query<{ id: string }>('SELECT id FROM registrations WHERE nif_index = $1', [sut.system.personal.index('nif', answers.nif)]);
      return found.rows[0] === undefined ? undefined : (await getRegistration(sut.system.db, sut.system.personal, found.rows[0].id)) ?? undefined;
    }, 20_000, 'the registration');
    const view = chatwootView(sut);
    const conversationId = view.conversationIdOf(phone);
    assert.equal(row.chat?.whatsappChatId, `${phone}@c.us`);
    assert.equal(row.chat?.chatwootConversationId, conversationId);
    const call = sut.typebot!.webhookCalls().at(-1)!;
    assert.equal(call.statusCode, 201);

    // Agents see the whole dialogue, the bot's part marked, and a note with the summary and the pending label.
    const messages = () => sut.chatwoot!.messages(conversationId);
    await eventually(async () => (sut.chatwoot!.labels(conversationId).includes('cadastro-pendente') ? true : undefined), 20_000, 'the pending label');
    const note = messages().find((message) => message.private && /aguardar revisão/.test(message.content ?? ''));
    assert.ok(note, 'a private note with the registration');
    assert.match(note.content ?? '', new RegExp(`/console/registrations/${row.id}`));
    assert.match(note.content ?? '', /Rui Manuel Almeida/);
    for (const personal of [answers.nif, answers.email, answers.address, answers.postalCode]) assert.equal(note.content?.includes(personal), false, 'the note holds the name and the link, no more');
    assert.ok(view.incomingTexts(phone).includes(answers.email), "the driver's answers are in the conversation");
    assert.ok(messages().some((message) => message.messageType === 'outgoing' && /^🤖 .*nome completo/s.test(message.content ?? '')), "the bot's questions too");
    assert.equal(driver.sentToDriver().filter((message) => message.body.startsWith('🤖')).length, 0, 'nothing mirrored came back to WhatsApp');

    const approved = await sut.asReviewer('POST', `/drivers/${row.id}/approve`);
    assert.equal(approved.status, 200);
    const told = await driver.hears('the approval on WhatsApp');
    assert.match(told.join('\n'), /foi aprovado/);
    await eventually(async () => (sut.chatwoot!.labels(conversationId).includes('cadastro-aprovado') ? true : undefined), 20_000, 'the approved label');
    assert.ok(!sut.chatwoot!.labels(conversationId).includes('cadastro-pendente'));
    assert.equal((await botState(sut, phone))?.session, null, 'the flow ended, so did the session');
  });

  it('asks in the chat for only what the reviewer named, twice; a stranger\'s chat cannot answer it', { timeout: 300_000 }, async () => {
    const sut = system();
    const phone = newDriverPhone();
    const driver = botDialogue(sut, phone);
    const answers = await driverAnswers();
    await startRegistration(driver);
    await answerUpToSummary(driver, answers);
    assert.match(await driver.says('1', 'the registration to be sent'), /Recebemos o seu registo/);
    const rowOf = async () => {
      const found = (await sut.system.db.query<{ id: string }>('SELECT id FROM registrations WHERE nif_index = $1', [sut.system.personal.index('nif', answers.nif)])).rows[0];
      const registration = found === undefined ? null : await getRegistration(sut.system.db, sut.system.personal, found.id);
      return registration === null ? undefined : { id: registration.id, status: registration.status, postal_code: registration.postalCode, email: registration.email };
    };
    const pending = async (what: string) => eventually(async () => ((await rowOf())?.status === 'pending_approval' ? rowOf() : undefined), 20_000, what);
    const { id } = await pending('the registration pending');
    const documents = async () => (await sut.system.db.query<{ kind: string; revision: number; received_sha256: string }>(
      "SELECT kind, revision, received_sha256 FROM registration_documents WHERE registration_id = $1 AND status <> 'superseded' ORDER BY kind", [id])).rows;
    const before = await documents();

    // The reviewer's message first, then the bot asks for the two items alone, in the form's order.
    const asked = await sut.asReviewer('POST', `/drivers/${id}/request-correction`, { items: ['licence_back', 'postal_code'], message: 'A fotografia do verso está desfocada.' });
    assert.equal(asked.status, 200);
    const heard = await driver.hears('the correction request, then the bot\'s first question', { count: 2 });
    const told = heard.join('\n');
    assert.match(heard[0] ?? '', /precisamos que corrija: fotografia da carta de condução \(verso\) e código postal\.[\s\S]*desfocada[\s\S]*Vou pedir-lhe aqui/);
    assert.match(told, /Só lhe vou pedir estes dados: fotografia da carta de condução \(verso\) e código postal\. O resto do registo fica como está\./);
    assert.match(heard.at(-1) ?? '', /código postal\?/, 'the first item asked');
    assert.doesNotMatch(told, /nome completo|NIF|Começar/, 'nothing else asked, no greeting');
    assert.equal((await rowOf())?.status, 'correction_requested', 'reviewers see it awaiting the driver');

    // A stranger's chat has a bot session of its own, which names no correction: nothing to open, nothing to submit.
    const strangerPhone = newDriverPhone();
    await botDialogue(sut, strangerPhone).says('Olá! Quero ser motorista', 'the stranger\'s welcome');
    const strangerToken = (await sut.system.db.query<{ link_token: string }>('SELECT link_token FROM bot_sessions WHERE chat_id = $1', [sut.system.personal.index('chat', `${strangerPhone}@c.us`)])).rows[0]!.link_token;
    const intake = { 'x-intake-token': sut.config.INTAKE_SHARED_SECRET! };
    const opened = await sut.call('POST', '/drivers/correction-typebot/', { sessao_conversa: strangerToken }, intake);
    assert.equal(opened.status, 404);
    const kept = 'mantido';
    const takeover = await sut.call('POST', '/drivers/register-typebot/', {
      nome_completo: answers.name, nif: answers.nif, telefone: answers.phone, email: 'outro@example.pt', morada: answers.address, codigo_postal: '1000-001',
      cidade: answers.city, cnh_frente: kept, cnh_verso: kept, comprovante_morada: kept, sessao_conversa: strangerToken,
    }, intake);
    assert.equal(takeover.status, 409, JSON.stringify(takeover.body));
    assert.equal((await rowOf())?.status, 'correction_requested');

    // The driver sends a new code and a new photo, sees the summary with them, confirms: three messages.
    const newBack = await makeJpeg({ width: 820, height: 510 });
    const photo = (bytes: Buffer) => ({ type: 'image' as const, media: { bytes, mimetype: 'image/jpeg' } });
    let sentByDriver = 0;
    const says = (...args: Parameters<Dialogue['says']>) => { sentByDriver += 1; return driver.says(...args); };
    assert.match(await says('4000-123', 'the next item'), /verso da carta de condução/);
    const summary = await says(photo(newBack), 'the summary');
    assert.match(summary, /Código postal: 4000-123/);
    assert.match(summary, new RegExp(`NIF: ${answers.nif}`), 'the other answers as they were');
    assert.match(await says('1', 'the correction to be sent'), /Recebemos o seu registo/);
    // The measure the issue asks for: before, the whole form again (the trigger, "Começar", 7 answers, 3 documents, "Confirmar": 13).
    console.log(`Messages a driver sends to redo the licence's back and the postal code: ${sentByDriver} (before: the whole form again, 13)`);
    const corrected = await pending('the corrected registration pending');
    assert.equal(corrected.postal_code, '4000-123');
    const after = await documents();
    assert.deepEqual(after.map((doc) => [doc.kind, doc.revision]), [['licence_back', 2], ['licence_front', 1], ['proof_of_address', 1]]);
    assert.deepEqual(after.filter((doc) => doc.kind !== 'licence_back'), before.filter((doc) => doc.kind !== 'licence_back'), 'the other documents untouched');

    // A second round, for the email alone.
    assert.equal((await sut.asReviewer('POST', `/drivers/${id}/request-correction`, { items: ['email'], message: '' })).status, 200);
    assert.match((await driver.hears('the second correction request, then the bot', { count: 2 })).at(-1) ?? '', /email/i);
    assert.match(await driver.says('rui.m.almeida@example.pt', 'the summary'), /Email: rui\.m\.almeida@example\.pt/);
    assert.match(await driver.says('1', 'the second correction to be sent'), /Recebemos o seu registo/);
    assert.equal((await pending('the registration pending again')).email, 'rui.m.almeida@example.pt');
    assert.deepEqual((await documents()).map((doc) => [doc.kind, doc.revision]), [['licence_back', 2], ['licence_front', 1], ['proof_of_address', 1]]);

    assert.equal((await sut.asReviewer('POST', `/drivers/${id}/approve`)).status, 200);
    assert.match((await driver.hears('the approval')).join('\n'), /foi aprovado/);
  });

  it('opens a web registration\'s correction from the link in the request, for the items alone', { timeout: 120_000 }, async () => {
    const sut = system();
    const payload = flatPayload(await sampleDocuments());
    const phone = `351${String(payload.telefone).replace(/\s/g, '')}`;
    const intake = { 'x-intake-token': sut.config.INTAKE_SHARED_SECRET! };
    const created = await sut.call('POST', '/drivers/register-typebot/', payload, intake);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = String(created.body.registration_id);
    await eventually(async () => ((await sut.system.db.query<{ status: string }>('SELECT status FROM registrations WHERE id = $1', [id])).rows[0]?.status === 'pending_approval' ? true : undefined), 20_000, 'pending');
    assert.equal((await sut.asReviewer('POST', `/drivers/${id}/request-correction`, { items: ['email', 'city'], message: 'O email não está correto.' })).status, 200);
    const message = await eventually(async () => sut.wpp.sent.find((sent) => sent.phone === phone && /corrija/.test(sent.body)), 20_000, 'the request on WhatsApp');
    const link = /https:\/\/\S+/.exec(message.body)?.[0] ?? assert.fail(`no link in: ${message.body}`);
    assert.equal(`${new URL(link).origin}${new URL(link).pathname}`, formUrl);
    const code = new URL(link).searchParams.get('CodigoCorrecao') ?? assert.fail('no code in the link');

    // Typebot opens the flow with the link's query as prefilled variables: only the two items, then the summary.
    const typebot = sut.typebot!;
    const chat = async (path: string, body: object) => {
      const response = await fetch(`${typebot.url}/api/v1/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ textBubbleContentFormat: 'markdown', ...body }) });
      assert.equal(response.status, 200);
      return (await response.json()) as { sessionId?: string; messages: Array<{ content: { markdown?: string } }> };
    };
    const said = (reply: { messages: Array<{ content: { markdown?: string } }> }) => reply.messages.map((m) => m.content.markdown ?? '').join('\n');
    const wrong = await chat(`typebots/${typebot.publicId}/startChat`, { prefilledVariables: { CodigoCorrecao: 'AAAA-2222' } });
    assert.match(said(wrong), /Não foi possível abrir a correção do seu registo\. O código de correção não é válido/);
    const start = await chat(`typebots/${typebot.publicId}/startChat`, { prefilledVariables: { CodigoCorrecao: code } });
    assert.match(said(start), /Só lhe vou pedir estes dados: email e localidade\. A equipa escreveu: «O email não está correto\.»/);
    assert.match(said(start), /email/i);
    const session = start.sessionId!;
    const next = (text: string) => chat(`sessions/${session}/continueChat`, { message: { type: 'text', text } });
    assert.match(said(await next('rui.novo@example.pt')), /cidade/i);
    const summary = said(await next('Matosinhos'));
    assert.match(summary, /Email: rui\.novo@example\.pt[\s\S]*Cidade: Matosinhos/);
    assert.match(said(await next('Confirmar')), /Recebemos o seu registo/);
    const row = await getRegistration(sut.system.db, sut.system.personal, id);
    assert.deepEqual(row && { email: row.email, city: row.city }, { email: 'rui.novo@example.pt', city: 'Matosinhos' });
    assert.notEqual(row?.status, 'correction_requested');
  });

  it('keeps quiet while an agent talks, and picks up where it was once the conversation is resolved', { timeout: 90_000 }, async () => {
    const sut = system();
    const phone = newDriverPhone();
    const driver = botDialogue(sut, phone);
    await startRegistration(driver);
    const view = chatwootView(sut);
    await sut.chatwoot!.agentReply(view.conversationIdOf(phone), { content: 'Olá, sou a Ana. Precisa de ajuda?' });
    assert.deepEqual(await driver.replies("the agent's reply"), ['Olá, sou a Ana. Precisa de ajuda?']);
    await driver.saysAndHearsNothing('Rui Manuel Almeida');

    await sut.chatwoot!.resolve(view.conversationIdOf(phone));
    await eventually(async () => ((await botState(sut, phone))?.paused === false ? true : undefined), 15_000, 'the bot to resume');
    assert.match(await driver.says('Rui Manuel Almeida'), /NIF/, 'the same dialogue, at the question it had reached');
  });

  it('steps back when an agent takes the conversation or the company phone writes, and comes back on /bot or the retomar-bot label', { timeout: 90_000 }, async () => {
    const sut = system();
    const phone = newDriverPhone();
    const driver = botDialogue(sut, phone);
    await startRegistration(driver);
    const conversationId = chatwootView(sut).conversationIdOf(phone);

    await sut.chatwoot!.assign(conversationId);
    await eventually(async () => ((await botState(sut, phone))?.paused === true ? true : undefined), 15_000, 'the pause on assignment');
    await driver.saysAndHearsNothing('Rui Manuel Almeida');
    await sut.chatwoot!.agentReply(conversationId, { content: '/bot', private: true });
    await eventually(async () => ((await botState(sut, phone))?.paused === false ? true : undefined), 15_000, 'the bot to resume on /bot');

    sut.wpp.typedOnCompanyPhone({ to: phone, body: 'Bom dia, fala o Rui da frota.' });
    await eventually(async () => ((await botState(sut, phone))?.paused === true ? true : undefined), 15_000, 'the pause for the company phone');
    await driver.saysAndHearsNothing('Rui Manuel Almeida');

    await sut.chatwoot!.addLabels(conversationId, ['retomar-bot']);
    await eventually(async () => ((await botState(sut, phone))?.paused === false ? true : undefined), 15_000, 'the bot to resume on the label');
    assert.match(await driver.says('Rui Manuel Almeida'), /NIF/, 'the question it had reached');
  });

  it('hands over to a person when the driver asks, and starts over on "recomeçar"', { timeout: 90_000 }, async () => {
    const sut = system();
    const phone = newDriverPhone();
    const driver = botDialogue(sut, phone);
    await startRegistration(driver);
    assert.match(await driver.says('Rui Manuel Almeida'), /NIF/);
    assert.match(await driver.says('recomeçar'), /1\. Começar/, 'a new session from the welcome');
    assert.match(await driver.says('Começar'), /nome completo/);

    assert.match(await driver.says('Quero falar com um atendente'), /colega da equipa/);
    const conversationId = chatwootView(sut).conversationIdOf(phone);
    await eventually(async () => (sut.chatwoot!.messages(conversationId).some((message) => message.private && /falar com uma pessoa/.test(message.content ?? '')) ? true : undefined), 15_000, 'the note for agents');
    await driver.saysAndHearsNothing('Rui Manuel Almeida');
  });

  it('joins a chat whose workflow was already running when the bot was switched on', { timeout: 60_000 }, async () => {
    const sut = system();
    const phone = newDriverPhone();
    // As a chat started before TYPEBOT_URL was set: no bot settings in its input.
    await sut.system.temporal.workflow.signalWithStart<typeof chat, ChatEventsArgs>(chatWorkflowType, {
      workflowId: chatWorkflowId(sut.system.personal, `${phone}@c.us`),
      taskQueue: sut.config.BRIDGE_TASK_QUEUE,
      args: [{ chatId: `${phone}@c.us`, idleTimeoutMs: 60_000, batchSize: 20 }],
      signal: chatEventsSignal,
      signalArgs: [[]],
    });
    assert.equal(await botState(sut, phone), null, 'no bot in that run yet');
    const driver = botDialogue(sut, phone);
    await startRegistration(driver);
  });

  it('answers a choice it cannot match with the bot\'s own retry, not silence', { timeout: 60_000 }, async () => {
    const sut = system();
    const phone = newDriverPhone();
    const driver = botDialogue(sut, phone);
    assert.match(await driver.says('Quero fazer o cadastro', 'the welcome'), /1\. Começar/);
    const retry = await driver.says('talvez amanhã');
    assert.match(retry, /Não percebi a sua escolha[^]*1\. Começar/, "Typebot's retry, in pt-PT, and the same choice again");
    assert.match(await driver.says('1.'), /nome completo/);
  });
});

describe('registration bot: silence, expiry, and greeting every new conversation', () => {
  const reminderAfterMs = 2000;
  // Typebot's clock, which the expiry test moves past the session's lifetime instead of waiting it
  // out: the other tests' sessions never expire, however slowly the machine runs.
  const typebotSessionExpiryMs = 10 * 60_000;
  let typebotClockAheadMs = 0;
  const system = useTestSystem(
    // A short idle time: the chat's workflow then wakes up every second (see hearsNothingFor).
    { BRIDGE_POLLING: 'false', BRIDGE_IDLE_TIMEOUT: '4s', TYPEBOT_REMINDER_AFTER: `${reminderAfterMs}ms`, TYPEBOT_START_ON_NEW_CONVERSATION: 'true' },
    { bridge: true, typebot: { sessionExpiryMs: typebotSessionExpiryMs, now: () => new Date(Date.now() + typebotClockAheadMs) } },
  );

  it('sends one reminder after a silence, and never starts the flow over', { timeout: 60_000 }, async () => {
    const sut = system();
    const phone = newDriverPhone();
    const driver = botDialogue(sut, phone);
    await startRegistration(driver);
    const reminder = await driver.hears('the reminder', { timeoutMs: 10_000 });
    assert.equal(reminder.length, 1);
    assert.match(reminder[0]!, /Ainda está por aí/);
    await driver.hearsNothingFor(2 * reminderAfterMs, 'one reminder only');
    assert.match(await driver.says('Rui Manuel Almeida'), /NIF/, 'the question it was waiting on');
  });

  it('greets a new conversation without a keyword, when configured to', { timeout: 30_000 }, async () => {
    const sut = system();
    const driver = botDialogue(sut, newDriverPhone());
    assert.match(await driver.says('Bom dia', 'the welcome'), /1\. Começar/);
  });

  it('tells the driver how to start again when Typebot has expired the session', { timeout: 60_000 }, async () => {
    const sut = system();
    const phone = newDriverPhone();
    const driver = botDialogue(sut, phone);
    await startRegistration(driver);
    assert.match((await driver.hears('the reminder', { timeoutMs: 10_000 })).join('\n'), /Ainda está por aí/);
    typebotClockAheadMs += typebotSessionExpiryMs + 1000;
    assert.match(await driver.says('Rui Manuel Almeida'), /sessão de registo expirou.*recomeçar/s);
    assert.match(await driver.says('recomeçar'), /1\. Começar/, 'a new session');
  });
});

describe('registration bot: the worker dies mid-dialogue', () => {
  let worker: ChildProcess;
  const system = useTestSystem({ BRIDGE_POLLING: 'false' }, { bridge: true, typebot: true, worker: false }, {
    started: async (sut) => {
      worker = await startChildWorker(sut);
    },
    stopping: () => killChildWorker(worker),
  });

  it('continues the same dialogue on the restarted worker', { timeout: 120_000 }, async () => {
    const sut = system();
    const phone = newDriverPhone();
    const driver = botDialogue(sut, phone);
    const answers = await driverAnswers();
    await startRegistration(driver);
    assert.match(await driver.says(answers.name), /NIF/);

    await killChildWorker(worker);
    // Said while no worker runs: the message waits in the chat's workflow.
    await sut.wpp.receive({ from: phone, body: answers.nif });
    worker = await startChildWorker(sut);
    assert.match((await driver.replies('the next question after the restart', 60_000)).join('\n'), /telemóvel/, 'the question after the NIF, not the welcome');
    const sessions = sut.typebot!.sessions().filter((session) => session.variables.WhatsApp === `+${phone}`);
    assert.equal(sessions.length, 1, 'still the one Typebot session');
  });

  it("sends the bot's question once when the worker dies in the middle of sending it", { timeout: 120_000 }, async () => {
    const sut = system();
    const phone = newDriverPhone();
    const driver = botDialogue(sut, phone);
    const answers = await driverAnswers();
    await startRegistration(driver);

    // WhatsApp takes the question at once but answers slowly: the worker dies between the two.
    await withFaults(sut.wpp.faults, { delayMs: 4000 }, async () => {
      await sut.wpp.receive({ from: phone, body: answers.name });
      await eventually(async () => (driver.sentToDriver().some((message) => /NIF/.test(message.body)) ? true : undefined), 20_000, 'the question under way');
      await killChildWorker(worker);
    });
    worker = await startChildWorker(sut);

    driver.skipAhead();
    await sut.wpp.receive({ from: phone, body: answers.nif });
    // The dead worker's step is retried once its heartbeat times out (20 s).
    const next = await driver.replies('the question after the NIF', 60_000);
    assert.match(next.join('\n'), /telemóvel/, 'the name was answered once: Typebot was not asked twice');
    assert.equal(driver.sentToDriver().filter((message) => /NIF/.test(message.body)).length, 1, 'the NIF question sent once');
  });
});

/** A small flow of another shape: a picture from the bot's storage, a picture too big to send, then a question. */
function flowWithPicture(imageUrl: string, bigImageUrl: string) {
  const paragraph = (text: string) => ({ type: 'p', children: [{ text }] });
  return {
    version: '6.1', name: 'Boas-vindas', icon: null, folderId: null, theme: {}, settings: {},
    events: [{ id: 'ev_start', type: 'start', graphCoordinates: { x: 0, y: 0 }, outgoingEdgeId: 'e0' }],
    variables: [{ id: 'v_nome', name: 'Nome' }],
    groups: [
      { id: 'g1', title: 'Início', graphCoordinates: { x: 0, y: 100 }, blocks: [
        { id: 'b_logo', type: 'image', content: { url: imageUrl } },
        { id: 'b_mapa', type: 'image', content: { url: bigImageUrl } },
        { id: 'b_ola', type: 'text', content: { richText: [paragraph('Damos-lhe as boas-vindas à **Léguas Franzinas**!')] } },
        { id: 'b_nome', type: 'text input', options: { variableId: 'v_nome' }, outgoingEdgeId: 'e1' },
      ] },
      { id: 'g2', title: 'Fim', graphCoordinates: { x: 0, y: 300 }, blocks: [
        { id: 'b_fim', type: 'text', content: { richText: [paragraph('Obrigado, {{Nome}}.')] } },
      ] },
    ],
    edges: [
      { id: 'e0', from: { eventId: 'ev_start' }, to: { groupId: 'g1' } },
      { id: 'e1', from: { blockId: 'b_nome' }, to: { groupId: 'g2' } },
    ],
  };
}

describe('registration bot: media in the flow', () => {
  let files: Server;
  let picture: Buffer;
  let flow: ReturnType<typeof flowWithPicture>;
  before(async () => {
    picture = await makePng({ width: 120, height: 60 });
    const big = await makePhotoLikeJpeg(200_000);
    files = createServer((request, response) => {
      if (request.url === '/mapa.jpg') response.writeHead(200, { 'content-type': 'image/jpeg' }).end(big);
      else response.writeHead(200, { 'content-type': 'image/png' }).end(picture);
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    const { port } = files.address() as { port: number };
    flow = flowWithPicture(`http://127.0.0.1:${port}/logo.png`, `http://127.0.0.1:${port}/mapa.jpg`);
  });
  // 100 KB: the logo goes as an image, the 200 KB map as its link.
  const system = useTestSystem({ BRIDGE_POLLING: 'false', BRIDGE_MEDIA_MAX_MB: '0.1' }, () => ({ bridge: true, typebot: { flow } }));
  after(async () => {
    await new Promise((resolve) => files.close(resolve));
  });

  it("sends the bot's picture as an image and its markdown as WhatsApp formatting, and ends with the flow", { timeout: 60_000 }, async () => {
    const sut = system();
    const phone = newDriverPhone();
    const driver = botDialogue(sut, phone);
    const welcome = await driver.says('cadastro', 'the welcome');
    const [image, tooBig, text, ...more] = driver.sentToDriver();
    assert.deepEqual(more, [], 'three messages in the turn');
    assert.equal(image?.type, 'image');
    assert.equal(image.sha256, createHash('sha256').update(picture).digest('hex'));
    assert.equal(tooBig?.type, undefined, 'a picture over the media limit goes as its link');
    assert.match(tooBig?.body ?? '', /^http:\/\/127\.0\.0\.1:\d+\/mapa\.jpg$/);
    assert.equal(text?.body, 'Damos-lhe as boas-vindas à *Léguas Franzinas*!');
    assert.equal(welcome, ['', tooBig?.body, 'Damos-lhe as boas-vindas à *Léguas Franzinas*!'].join('\n'), 'says() read the whole three-message turn, the picture without a caption');
    assert.equal(await driver.says('Rui'), 'Obrigado, Rui.');
    const mirrored = sut.chatwoot!.messages(chatwootView(sut).conversationIdOf(phone)).filter((message) => (message.content ?? '').startsWith('🤖'));
    assert.match(mirrored[0]?.content ?? '', /\[image\] http:\/\/127\.0\.0\.1:\d+\/logo\.png/);
    // The flow ended: the next message is the driver's own again, not an answer to the bot.
    await driver.saysAndHearsNothing('Até logo');
  });
});
