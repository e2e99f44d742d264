import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { chatHandOff, watchFullChats } from '../../api/hand-offs/chat.ts';
import { ChatQueueFullError, eventKey, type ChatEvent } from '../../domain/chat.ts';
import { ChatQueueFullAttribute } from '../../workflows/search-attributes.ts';
import { ChatActivityStubs, testChatKeys, withChatWorker, type TestChat } from '../support/chat-workflow.ts';
import { eventually, testEnvironment } from '../support/test-system.ts';

// scripts/test.ts starts its Temporal server with a low `limit.historyCount.suggestContinueAsNew`.
const suggestAt = Number(process.env.TEST_SUGGEST_CONTINUE_AS_NEW_AT ?? Number.NaN);

const keys = (events: ChatEvent[]) => events.map(eventKey);

/** The chat's latest run's `ChatQueueFull`, as Temporal shows it (false when never set). */
/**
 * The relay of the chat's next batch fails as a local activity (both tries) and hangs as the regular
 * activity that waits an outage out: the chat's workflow tasks go on meanwhile, taking every signal.
 */
function outage(stubs: ChatActivityStubs) {
  stubs.failNextRelay();
  stubs.failNextRelay();
  return stubs.holdNextRelay();
}

const markedFull = async (chat: TestChat) => (await chat.handle().describe()).typedSearchAttributes.get(ChatQueueFullAttribute) ?? false;

describe('chat workflow with stub activities: a bounded queue, and continue-as-new with a backlog', { timeout: 180_000 }, () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await TestWorkflowEnvironment.createFromExistingServer({ address: testEnvironment().temporalAddress });
  });
  after(async () => env.teardown());

  it("marks a chat full at its bound so the hand-off refuses its driver's messages, then drains in order and takes them again", async () => {
    const stubs = new ChatActivityStubs(null);
    const fullChats = watchFullChats(env.client, testChatKeys, 100);
    try {
      await withChatWorker(env, stubs, async (worker) => {
        const queueMax = 10;
        const chat = worker.chat({ queueMax, batchSize: 3 });
        // The API's hand-off; its task queue only matters for a start, and this chat runs already when it is used.
        const handOff = chatHandOff(env.client, testChatKeys, { BRIDGE_TASK_QUEUE: 'not-used', BRIDGE_IDLE_TIMEOUT: 60_000, BRIDGE_BATCH_SIZE: 3, BRIDGE_QUEUE_MAX: queueMax, BRIDGE_REPLY_ORDER_WINDOW: 1_000, BRIDGE_INBOUND_ORDER_WINDOW: 500, TEMPORAL_HANDOFF_DEADLINE: 5_000 }, fullChats);
        const first = chat.message('primeira');
        const gate = outage(stubs);
        await chat.send([first]);
        await stubs.until(() => (chat.relayCalls().length === 3 ? true : undefined), 'the relay to wait out an outage');

        const backlog = Array.from({ length: queueMax }, (_, n) => chat.message(`em espera ${n + 1}`));
        for (const message of backlog.slice(0, queueMax - 1)) await chat.send([message]);
        assert.equal(await markedFull(chat), false, 'one short of the bound: not full');
        await chat.send([backlog.at(-1)!]);
        await eventually(async () => ((await markedFull(chat)) ? true : undefined), 10_000, 'ChatQueueFull set at the bound');
        await eventually(async () => (fullChats.has(chat.chatId) ? true : undefined), 10_000, 'the API to see the chat full');

        const refused = chat.message('recusada por agora');
        await assert.rejects(handOff.events(chat.chatId, [refused]), (error) => error instanceof ChatQueueFullError && error.retryAfterSeconds > 0);
        // An agent's reply is never refused: Chatwoot does not send a webhook again.
        const reply = chat.reply('Já vemos isso');
        await handOff.events(chat.chatId, [reply]);
        assert.equal((await chat.state()).queued, queueMax + 1, 'the refused message is not in the queue, the reply is');

        gate.open();
        await chat.settled(queueMax + 2);
        assert.equal(await markedFull(chat), false, 'cleared once drained');
        await eventually(async () => (fullChats.has(chat.chatId) ? undefined : true), 10_000, 'the API to see the chat take messages again');
        // What polling does once the chat has room: hands the refused message over again.
        await handOff.events(chat.chatId, [refused]);
        await chat.settled(queueMax + 3);
        assert.deepEqual(keys(chat.relayed()), keys([first, ...backlog, reply, refused]));
      });
    } finally {
      await fullChats.stop();
    }
  });

  it('continues as new with its queue not empty, carrying the backlog: nothing lost, nothing out of order', { skip: Number.isNaN(suggestAt) && "needs the test runner's own Temporal server" }, async () => {
    const stubs = new ChatActivityStubs(null);
    await withChatWorker(env, stubs, async (worker) => {
      const chat = worker.chat({ batchSize: 10, queueMax: 10_000 });
      const first = chat.message('primeira');
      const gate = outage(stubs);
      await chat.send([first]);
      const firstRun = (await chat.handle().describe()).runId;
      await stubs.until(() => (chat.relayCalls().length === 3 ? true : undefined), 'the relay to wait out an outage');
      // One signal each, as concurrent webhooks come: their history events alone pass the server's suggestion while they wait.
      const backlog = Array.from({ length: suggestAt + 20 }, (_, n) => chat.message(`em espera ${n + 1}`));
      for (const message of backlog) await chat.send([message]);
      gate.open();

      assert.equal(await eventually(async () => {
        const { status } = await chat.handle(firstRun).describe();
        return status.name === 'RUNNING' ? undefined : status.name;
      }, 30_000, 'the first run to close'), 'CONTINUED_AS_NEW');
      await eventually(async () => {
        const state = await chat.state();
        return state.queued === 0 && !state.busy && chat.relayed().length >= backlog.length + 1 ? true : undefined;
      }, 60_000, 'the backlog relayed by the next run');
      const carried = chat.relayCalls().filter((call) => call.runId !== firstRun && call.outcome === 'relayed');
      assert.ok(carried.length > 0 && carried[0]!.events.length > 0, 'the next run relayed what the first one carried');
      assert.ok(backlog.length - chat.relayCalls().filter((call) => call.runId === firstRun && call.outcome === 'relayed').flatMap((call) => call.events).length > 0,
        'the first run continued before its queue was empty');
      assert.deepEqual([...new Set(keys(chat.relayed()))], keys([first, ...backlog]), 'every message once, in order');
    });
  });
});
