import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { chatWorkflowId } from '../../domain/chat.ts';
import { chatStateQuery } from '../../workflows/chat.ts';
import { botDialogue } from '../support/bot-dialogue.ts';
import { chatwootView, newDriverPhone } from '../support/bridge-views.ts';
import { killChildWorker, startChildWorker } from '../support/child-worker.ts';
import { eventually, startTestSystem, type TestSystem } from '../support/test-system.ts';

/** A redeploy: SIGTERM, and the worker shuts down as it does in production. */
async function stopChildWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

describe('registration bot switched off while chats are running', () => {
  let sut: TestSystem;
  let worker: ChildProcess;
  before(async () => {
    sut = await startTestSystem({ BRIDGE_POLLING: 'false' }, { bridge: true, typebot: true, worker: false });
    worker = await startChildWorker(sut);
  });
  after(async () => {
    await killChildWorker(worker);
    await sut.stop();
  });

  it("relays the driver's next message to Chatwoot with no bot answer once the bridge worker runs without TYPEBOT_URL", { timeout: 120_000 }, async () => {
    const phone = newDriverPhone();
    const driver = botDialogue(sut, phone);
    assert.match(await driver.says('Olá! Quero ser motorista', 'the welcome'), /1\. Começar/);
    assert.match(await driver.says('1'), /nome completo/);
    const chat = sut.system.temporal.workflow.getHandle(chatWorkflowId(sut.system.personal, `${phone}@c.us`));
    const running = await chat.query(chatStateQuery);
    assert.notEqual(running.bot?.session, null, 'a bot session in progress');

    await stopChildWorker(worker);
    worker = await startChildWorker(sut, { TYPEBOT_URL: undefined, TYPEBOT_PUBLIC_ID: undefined });
    const typebotCalls = sut.typebot!.requests.length;

    const sentBefore = driver.sentToDriver().length;
    await sut.wpp.receive({ from: phone, body: 'Rui Manuel Almeida' });
    await eventually(async () => (chatwootView(sut).incomingTexts(phone).includes('Rui Manuel Almeida') ? true : undefined), 60_000, 'the message in Chatwoot');
    // Whatever the message causes has happened once the chat has handled it and is between turns.
    const settled = await eventually(async () => {
      const state = await chat.query(chatStateQuery);
      return state.handled > running.handled && state.queued === 0 && !state.busy ? state : undefined;
    }, 30_000, 'the chat to settle');
    assert.equal(settled.bot, null, 'no bot in the chat any more');
    assert.equal(sut.typebot!.requests.length, typebotCalls, 'Typebot was not called');
    assert.equal(driver.sentToDriver().length, sentBefore, 'the bot did not answer');
  });
});
