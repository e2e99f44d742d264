import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatWorkflowId } from '../../domain/chat.ts';
import { chatwootView, newDriverPhone, waitForIncoming } from '../support/bridge-views.ts';
import { eventually, withTestSystem, type TestSystem } from '../support/test-system.ts';

/** Each test has a bridge of its own, with its own settings. */
const withBridge = (env: Record<string, string>, run: (sut: TestSystem) => Promise<void>) =>
  withTestSystem({ BRIDGE_POLLING: 'false', ...env }, { bridge: true }, run);

const conversationsOf = (sut: TestSystem, phone: string) => chatwootView(sut).conversationsOf(phone);

async function driverWritesAndArrives(sut: TestSystem, phone: string, text: string): Promise<void> {
  await sut.wpp.receive({ from: phone, body: text });
  await waitForIncoming(sut, phone, text);
}

describe('chat workflow lifecycle', () => {
  it('ends a chat workflow after the idle time; the next message starts a new run', async () => {
    await withBridge({ BRIDGE_IDLE_TIMEOUT: '1s' }, async (sut) => {
      const phone = newDriverPhone();
      const handle = sut.system.temporal.workflow.getHandle(chatWorkflowId(sut.system.personal, `${phone}@c.us`));
      await driverWritesAndArrives(sut, phone, 'primeira conversa');
      const first = await handle.describe();
      await eventually(async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined), 10_000, 'the idle end');
      await driverWritesAndArrives(sut, phone, 'dias depois');
      const second = await handle.describe();
      assert.notEqual(second.runId, first.runId);
      assert.equal(conversationsOf(sut, phone).length, 1, 'same Chatwoot conversation, found again');
    });
  });

  it('reopens a resolved conversation by default', async () => {
    await withBridge({}, async (sut) => {
      const phone = newDriverPhone();
      await driverWritesAndArrives(sut, phone, 'antes');
      const [conversation] = conversationsOf(sut, phone);
      await sut.chatwoot!.resolve(conversation!.id);
      await driverWritesAndArrives(sut, phone, 'depois de resolvida');
      assert.deepEqual(conversationsOf(sut, phone).map((candidate) => [candidate.id, candidate.status]), [[conversation!.id, 'open']]);
    });
  });

  it('starts a new conversation after a resolved one when configured so', async () => {
    await withBridge({ CHATWOOT_RESOLVED_CONVERSATIONS: 'new' }, async (sut) => {
      const phone = newDriverPhone();
      await driverWritesAndArrives(sut, phone, 'antes');
      const [conversation] = conversationsOf(sut, phone);
      await sut.chatwoot!.resolve(conversation!.id);
      await driverWritesAndArrives(sut, phone, 'nova conversa');
      const conversations = conversationsOf(sut, phone);
      assert.equal(conversations.length, 2);
      const latest = conversations.find((candidate) => candidate.id !== conversation!.id)!;
      assert.ok(sut.chatwoot!.messages(latest.id).some((message) => message.content === 'nova conversa'));
      assert.equal(conversations.find((candidate) => candidate.id === conversation!.id)!.status, 'resolved');
    });
  });

  it('starts a new conversation when the chat\'s conversation was deleted in Chatwoot, on the same contact', async () => {
    await withBridge({}, async (sut) => {
      const phone = newDriverPhone();
      await driverWritesAndArrives(sut, phone, 'antes');
      const [deleted] = conversationsOf(sut, phone);
      sut.chatwoot!.deleteConversation(deleted!.id);
      await driverWritesAndArrives(sut, phone, 'depois de apagada');
      const [replacement, ...others] = conversationsOf(sut, phone);
      assert.deepEqual(others, []);
      assert.notEqual(replacement!.id, deleted!.id);
      assert.deepEqual(sut.chatwoot!.messages(replacement!.id).map((message) => message.content), ['depois de apagada']);
      assert.equal(chatwootView(sut).contactsOf(phone).length, 1);
    });
  });
});
