import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ChatEvent } from '../../domain/chat.ts';
import { botSettings, ChatActivityStubs, withChatWorker, type TestChat } from '../support/chat-workflow.ts';
import { eventually, testEnvironment } from '../support/test-system.ts';

/** The driver writes the keyword; returns the bot session that opened. */
async function openSession(chat: TestChat): Promise<string> {
  await chat.send([chat.message('Quero fazer o registo')]);
  const state = await chat.settled(1);
  assert.ok(state.bot?.session, 'a bot session is open');
  return state.bot.session.sessionId;
}

describe('chat workflow with stub activities: the registration bot', { timeout: 120_000 }, () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await TestWorkflowEnvironment.createFromExistingServer({ address: testEnvironment().temporalAddress });
  });
  after(async () => env.teardown());

  const pausers: Array<[string, (chat: TestChat) => ChatEvent]> = [
    ["an agent's reply", (chat) => chat.reply('Olá, sou a Ana. Posso ajudar?')],
    ['an assignment to an agent', (chat) => chat.control('assigned')],
    ['a message typed on the company phone', (chat) => chat.typedOnCompanyPhone()],
  ];
  for (const [what, pauser] of pausers) {
    it(`${what} pauses the bot: the driver's next message reaches no bot step`, async () => {
      const stubs = new ChatActivityStubs(botSettings());
      await withChatWorker(env, stubs, async (worker) => {
        const chat = worker.chat();
        await openSession(chat);
        await chat.send([pauser(chat)]);
        await chat.send([chat.message('Rui Almeida')]);
        const state = await chat.settled(3);
        assert.equal(state.bot?.paused, true);
        assert.equal(chat.starts().length, 1);
        assert.deepEqual(chat.answers(), []);
        assert.deepEqual(chat.says(), []);
      });
    });
  }

  it('resumes the bot for a reviewer\'s correction, even paused, in correction mode, once per request', async () => {
    const stubs = new ChatActivityStubs(botSettings());
    await withChatWorker(env, stubs, async (worker) => {
      const chat = worker.chat();
      await chat.send([chat.message('Bom dia')]);
      await chat.send([chat.reply('Bom dia! Em que posso ajudar?')]);
      const ask = { kind: 'control', control: 'ask-correction', ref: 'reg-1:round-1' } as const;
      await chat.send([ask]);
      await chat.send([ask]);
      const state = await chat.settled(3);
      assert.equal(state.bot?.paused, false, 'an agent had talked: the correction resumes the bot anyway');
      assert.deepEqual(chat.starts().map((start) => [start.correction, start.key, start.senderName]), [[true, 'correction:reg-1:round-1', null]]);
      assert.ok(state.bot?.session, 'its session holds the chat');
      await chat.send([chat.message('4000-123')]);
      await chat.settled(4);
      assert.equal(chat.answers().length, 1, "the driver's answer goes to the correction's session");
    });
  });

  it('keeps a paused bot from starting on its keyword', async () => {
    const stubs = new ChatActivityStubs(botSettings());
    await withChatWorker(env, stubs, async (worker) => {
      const chat = worker.chat();
      await chat.send([chat.message('Bom dia')]);
      await chat.send([chat.reply('Bom dia! Em que posso ajudar?')]);
      await chat.send([chat.message('Quero fazer o registo')]);
      const state = await chat.settled(3);
      assert.equal(state.bot?.paused, true);
      assert.deepEqual(chat.starts(), []);
    });
  });

  it('hands over to a person when the driver asks for one in a session, then stays silent', async () => {
    const stubs = new ChatActivityStubs(botSettings());
    await withChatWorker(env, stubs, async (worker) => {
      const chat = worker.chat();
      await openSession(chat);
      const request = chat.message('Quero falar com um atendente, por favor');
      await chat.send([request]);
      await chat.send([chat.message('Olá?')]);
      const state = await chat.settled(3);
      assert.equal(state.bot?.paused, true);
      assert.deepEqual(chat.says().map((step) => [step.say, step.key]), [['hand-over', `handover:${request.whatsappId}`]]);
      assert.deepEqual(chat.answers(), []);
    });
  });

  for (const control of ['resolved', 'resume-bot'] as const) {
    it(`un-pauses the bot on '${control}': the driver's next message is answered in the same session`, async () => {
      const stubs = new ChatActivityStubs(botSettings());
      await withChatWorker(env, stubs, async (worker) => {
        const chat = worker.chat();
        const sessionId = await openSession(chat);
        await chat.send([chat.reply('Vou só confirmar uma coisa.')]);
        assert.equal((await chat.settled(2)).bot?.paused, true);
        await chat.send([chat.control(control)]);
        const answer = chat.message('Rui Almeida');
        await chat.send([answer]);
        const state = await chat.settled(4);
        assert.equal(state.bot?.paused, false);
        assert.deepEqual(chat.answers().map((step) => [step.session.sessionId, step.key, step.message.whatsappId]), [
          [sessionId, `answer:${answer.whatsappId}`, answer.whatsappId],
        ]);
        assert.equal(chat.starts().length, 1);
      });
    });
  }

  it('reminds the driver once after the silence, however long the session then waits', async () => {
    const reminderAfterMs = 200;
    const stubs = new ChatActivityStubs(botSettings({ reminderAfterMs, sessionTtlMs: 3_000 }));
    await withChatWorker(env, stubs, async (worker) => {
      const chat = worker.chat();
      const sessionId = await openSession(chat);
      // The session's lifetime is many reminder intervals: a second reminder would come before it ends.
      await eventually(async () => ((await chat.state()).bot?.session === null ? true : undefined), 15_000, 'the session to be dropped');
      assert.deepEqual(chat.says().map((step) => [step.say, step.key]), [['reminder', `remind:${sessionId}:1`]]);
    });
  });

  it('sends no reminder while people have taken over', async () => {
    const stubs = new ChatActivityStubs(botSettings({ reminderAfterMs: 200, sessionTtlMs: 2_000 }));
    await withChatWorker(env, stubs, async (worker) => {
      const chat = worker.chat();
      await openSession(chat);
      await chat.send([chat.control('assigned')]);
      await chat.settled(2);
      await eventually(async () => ((await chat.state()).bot?.session === null ? true : undefined), 15_000, 'the session to be dropped');
      assert.deepEqual(chat.says(), []);
    });
  });

  it('drops an unanswered session after its lifetime; the session holds the chat until then, and the chat then ends idle', async () => {
    const reminderAfterMs = 100;
    const sessionTtlMs = 6_000;
    const stubs = new ChatActivityStubs(botSettings({ reminderAfterMs, sessionTtlMs }));
    await withChatWorker(env, stubs, async (worker) => {
      // The idle time is far shorter than the session's lifetime (four of its quarter-timers take up
      // to about 4 s on the dev server, which fires timers up to a second late).
      const chat = worker.chat({ idleTimeoutMs: 400 });
      const started = Date.now();
      await openSession(chat);
      assert.equal(await chat.ended(20_000), 'COMPLETED');
      assert.ok(Date.now() - started >= reminderAfterMs + sessionTtlMs, `ended ${Date.now() - started} ms after the session opened`);
      const final = await chat.state();
      assert.equal(final.bot?.session, null);
    });
  });

  it('starts the bot on a keyword in a driver\'s message, not on other text', async () => {
    const stubs = new ChatActivityStubs(botSettings({ keywords: ['registo'], startOnNewConversation: false }));
    await withChatWorker(env, stubs, async (worker) => {
      const chat = worker.chat();
      await chat.send([chat.message('Bom dia, tenho uma dúvida sobre os pagamentos')]);
      await chat.send([chat.message('Os registos de horas estão certos?')]);
      assert.equal((await chat.settled(2)).bot?.session, null);
      assert.deepEqual(chat.starts(), []);

      const keyword = chat.message('Queria fazer o Registo!', { senderName: 'Rui Almeida' });
      await chat.send([keyword]);
      const state = await chat.settled(3);
      assert.deepEqual(chat.starts(), [{ chatId: chat.chatId, chatwoot: state.chatwoot, senderName: 'Rui Almeida', key: `start:${keyword.whatsappId}` }]);
      assert.equal(state.bot?.session?.sessionId.startsWith('session-'), true);
    });
  });

  it('starts the bot on the message that opened a new conversation when set to greet new conversations, not in an existing one', async () => {
    const stubs = new ChatActivityStubs(botSettings({ keywords: ['registo'], startOnNewConversation: true }));
    await withChatWorker(env, stubs, async (worker) => {
      const fresh = worker.chat();
      const hello = fresh.message('Bom dia');
      await fresh.send([hello]);
      await fresh.settled(1);
      assert.deepEqual(fresh.starts().map((step) => step.key), [`start:${hello.whatsappId}`]);

      // A chat already linked to its Chatwoot conversation (the stub relay then opens none).
      const known = worker.chat();
      known.startWith({ carried: { seen: [], queue: [], chatwoot: { contactId: 7, conversationId: 70 } } });
      await known.send([known.message('Bom dia')]);
      assert.equal((await known.settled(1)).bot?.session, null);
      assert.deepEqual(known.starts(), []);
    });
  });
});
