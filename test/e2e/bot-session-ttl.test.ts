import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chatWorkflowId } from '../../domain/chat.ts';
import { chatStateQuery } from '../../workflows/chat.ts';
import { botDialogue } from '../support/bot-dialogue.ts';
import { chatwootView, newDriverPhone } from '../support/bridge-views.ts';
import { eventually, startTestSystem, type TestSystem } from '../support/test-system.ts';

const reminderAfterMs = 8_000;
const sessionTtlMs = 3_000;

describe('registration bot: a session left unanswered for TYPEBOT_SESSION_TTL', () => {
  let sut: TestSystem;
  before(async () => {
    sut = await startTestSystem(
      { BRIDGE_POLLING: 'false', BRIDGE_IDLE_TIMEOUT: '2s', TYPEBOT_REMINDER_AFTER: `${reminderAfterMs}ms`, TYPEBOT_SESSION_TTL: `${sessionTtlMs}ms` },
      { bridge: true, typebot: true },
    );
  });
  after(async () => sut.stop());

  const chatOf = (phone: string) => sut.system.temporal.workflow.getHandle(chatWorkflowId(sut.system.personal, `${phone}@c.us`));
  const continueChats = () => sut.typebot!.requests.filter((request) => request.route.endsWith('/continueChat')).length;

  /** The driver starts the bot and presses "Começar"; returns when the question for the name was sent. */
  async function askedForTheName(phone: string) {
    const driver = botDialogue(sut, phone);
    assert.match(await driver.says('Olá! Quero ser motorista', 'the welcome'), /1\. Começar/);
    assert.match(await driver.says('1'), /nome completo/);
    return driver;
  }

  it('drops it: the chat then ends, and the next message is not taken as an answer', { timeout: 90_000 }, async () => {
    const phone = newDriverPhone();
    const driver = await askedForTheName(phone);
    const firstRun = (await chatOf(phone).describe()).runId;
    // Held by its session, the chat ends (idle) only once the session is dropped.
    await eventually(async () => ((await chatOf(phone).describe()).status.name === 'COMPLETED' ? true : undefined), 45_000, 'the chat to end after its session');
    assert.equal((await chatOf(phone).query(chatStateQuery)).bot?.session, null, 'the session was dropped');
    driver.skipAhead();
    const answers = continueChats();

    const sentBefore = driver.sentToDriver().length;
    await sut.wpp.receive({ from: phone, body: 'Rui Manuel Almeida' });
    await eventually(async () => (chatwootView(sut).incomingTexts(phone).includes('Rui Manuel Almeida') ? true : undefined), 15_000, 'the message in Chatwoot');
    const settled = await eventually(async () => {
      const chat = chatOf(phone);
      const { runId, status } = await chat.describe();
      const state = await chat.query(chatStateQuery);
      return runId !== firstRun && state.handled >= 1 && state.queued === 0 && !state.busy ? { state, status } : undefined;
    }, 15_000, 'a new run of the chat to handle the message');
    assert.equal(settled.state.bot?.session ?? null, null, 'no session in the new run');
    assert.equal(continueChats(), answers, 'nothing went to Typebot as an answer');
    assert.equal(driver.sentToDriver().length, sentBefore, 'the bot did not answer');
  });

  it('drops it once unanswered for TYPEBOT_SESSION_TTL, reminder or not', {
    timeout: 60_000,
  }, async () => {
    const phone = newDriverPhone();
    await askedForTheName(phone);
    const asked = Date.now();
    // Timers on the dev server may fire up to a second late; the reminder is still 3 s further off.
    await eventually(async () => ((await chatOf(phone).query(chatStateQuery)).bot?.session === null ? true : undefined), sessionTtlMs + 2_000, 'the session dropped after its lifetime');
    assert.ok(Date.now() - asked < reminderAfterMs);
  });
});
