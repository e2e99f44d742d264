import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { botQuestion, botSettings, ChatActivityStubs, withChatWorker } from '../support/chat-workflow.ts';
import { testEnvironment } from '../support/test-system.ts';

describe('chat workflow with stub activities: where the bot\'s settings and state come from', { timeout: 120_000 }, () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await TestWorkflowEnvironment.createFromExistingServer({ address: testEnvironment().temporalAddress });
  });
  after(async () => env.teardown());

  it('runs no bot while relay results carry no settings, and starts it on the next matching message once one does', async () => {
    const stubs = new ChatActivityStubs(null);
    await withChatWorker(env, stubs, async (worker) => {
      const chat = worker.chat();
      await chat.send([chat.message('Quero fazer o registo')]);
      assert.equal((await chat.settled(1)).bot, null);
      assert.deepEqual(chat.starts(), []);

      // Typebot switched on in the worker's configuration while the chat runs.
      stubs.bot = botSettings();
      const keyword = chat.message('Quero fazer o registo, por favor');
      await chat.send([keyword]);
      const state = await chat.settled(2);
      assert.deepEqual(chat.starts().map((step) => step.key), [`start:${keyword.whatsappId}`]);
      assert.notEqual(state.bot?.session, null);
    });
  });

  it('stops the bot for a chat when relay results switch its settings back to null', async () => {
    const stubs = new ChatActivityStubs(botSettings());
    await withChatWorker(env, stubs, async (worker) => {
      const chat = worker.chat();
      await chat.send([chat.message('Quero fazer o registo')]);
      assert.notEqual((await chat.settled(1)).bot?.session, null);

      stubs.bot = null;
      await chat.send([chat.message('Rui Almeida')]);
      await chat.send([chat.message('Quero fazer o registo')]);
      const state = await chat.settled(3);
      assert.equal(state.bot, null);
      assert.deepEqual(chat.answers(), []);
      assert.equal(chat.starts().length, 1);
    });
  });

  it('follows keywords retuned in the relay results: the new one starts the bot, the old one no longer does', async () => {
    const stubs = new ChatActivityStubs(botSettings({ keywords: ['registo'] }));
    await withChatWorker(env, stubs, async (worker) => {
      const chat = worker.chat();
      await chat.send([chat.message('Quero fazer a inscrição')]);
      await chat.settled(1);
      assert.deepEqual(chat.starts(), []);

      stubs.bot = botSettings({ keywords: ['inscrição'] });
      await chat.send([chat.message('Quero fazer o registo')]);
      await chat.settled(2);
      assert.deepEqual(chat.starts(), []);
      const keyword = chat.message('Inscricao');
      await chat.send([keyword]);
      await chat.settled(3);
      assert.deepEqual(chat.starts().map((step) => step.key), [`start:${keyword.whatsappId}`]);
    });
  });

  it('configures the bot from settings sent with the signal when relay results carry none (histories from before they did)', async () => {
    // Relay results without a `bot` field, as recorded before it existed.
    const stubs = new ChatActivityStubs(undefined);
    await withChatWorker(env, stubs, async (worker) => {
      const chat = worker.chat();
      const keyword = chat.message('Quero fazer o registo');
      await chat.send([keyword], botSettings());
      const state = await chat.settled(1);
      assert.deepEqual(chat.starts().map((step) => step.key), [`start:${keyword.whatsappId}`]);

      // A signal without settings keeps them; one with null switches the bot off.
      const answer = chat.message('Rui Almeida');
      await chat.send([answer]);
      await chat.settled(2);
      assert.deepEqual(chat.answers().map((step) => [step.session.sessionId, step.key]), [[state.bot?.session?.sessionId, `answer:${answer.whatsappId}`]]);
      await chat.send([chat.message('Lisboa')], null);
      assert.equal((await chat.settled(3)).bot, null);
      assert.equal(chat.answers().length, 1);
    });
  });

  it('answers in the bot session a continued chat carries, at the turn it had reached', async () => {
    const stubs = new ChatActivityStubs(botSettings());
    await withChatWorker(env, stubs, async (worker) => {
      const chat = worker.chat();
      const session = { sessionId: 'session-carried', awaiting: botQuestion, turn: 3 };
      chat.startWith({ bot: botSettings(), carried: { seen: [], queue: [], chatwoot: { contactId: 8, conversationId: 80 }, bot: { session, paused: false } } });
      const answer = chat.message('Rui Almeida');
      await chat.send([answer]);
      const state = await chat.settled(1);
      assert.deepEqual(chat.answers().map((step) => [step.session, step.key]), [[session, `answer:${answer.whatsappId}`]]);
      assert.deepEqual(state.bot?.session, { sessionId: 'session-carried', awaiting: botQuestion, turn: 4 });
      assert.deepEqual(chat.starts(), []);
    });
  });

  it('keeps the bot paused when the company phone writes after a resolve relayed in the same batch', async () => {
    const stubs = new ChatActivityStubs(botSettings());
    await withChatWorker(env, stubs, async (worker) => {
      const chat = worker.chat();
      await chat.send([chat.message('Quero fazer o registo')]);
      await chat.send([chat.reply('Olá, sou a Ana.')]);
      assert.equal((await chat.settled(2)).bot?.paused, true);
      // One signal, one batch: what batching does to separate webhooks when they queue up.
      await chat.send([chat.control('resolved'), chat.typedOnCompanyPhone()]);
      await chat.send([chat.message('Rui Almeida')]);
      const state = await chat.settled(5);
      assert.equal(state.bot?.paused, true, 'the company phone wrote last: people are talking');
      assert.deepEqual(chat.answers(), []);
    });
  });
});
