import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createPollingActivities } from '../../activities/bridge/polling.ts';
import type { ChatEvent } from '../../domain/chat.ts';
import { createWppConnectClient } from '../../integrations/wppconnect/client.ts';
import { createDb } from '../../platform/db.ts';
import { claimInboundRelay, completeInboundRelay } from '../../platform/stores/relays.ts';
import { startWppConnectSimulator } from '../simulators/wppconnect/index.ts';
import { newDriverPhone } from '../support/bridge-views.ts';
import { sharedPersonalData, testEnvironment } from '../support/test-system.ts';

/**
 * Polling's read of WhatsApp's new messages, on the WPPConnect simulator: marking a chat read marks
 * all of it, so a message whose webhook was lost and that arrived between the poll's read and its
 * mark must still be handed over.
 */
describe('polling WPPConnect for new messages', () => {
  const db = createDb(testEnvironment().databaseUrl);
  after(() => db.end());

  it('hands over a message that arrived between reading the new messages and marking the chat read', async () => {
    const sim = await startWppConnectSimulator({ secretKey: 'sim-secret-key', session: 'polling' });
    try {
      sim.faults.webhookDown = true;
      const phone = newDriverPhone();
      const chatId = `${phone}@c.us`;
      await sim.receive({ from: phone, body: 'primeira, sem webhook' });
      const handed: string[] = [];
      let arrivedMeanwhile = false;
      const polling = createPollingActivities({
        db,
        personal: await sharedPersonalData(db),
        wppconnect: createWppConnectClient({ baseUrl: sim.url, session: sim.session, secretKey: sim.secretKey, timeoutMs: 2_000 }),
        includeGroups: false,
        handOff: async (chat: string, events: ChatEvent[]) => {
          assert.equal(chat, chatId);
          handed.push(...events.map((event) => (event.kind === 'inbound' ? event.text ?? '' : event.kind)));
          // The driver writes again while this poll is handing over: the chat is about to be marked read.
          if (!arrivedMeanwhile) {
            arrivedMeanwhile = true;
            await sim.receive({ from: phone, body: 'segunda, entre a leitura e a marcação' });
          }
        },
      });
      assert.deepEqual(await polling.pollNewMessages(), { found: 2 });
      assert.deepEqual(handed, ['primeira, sem webhook', 'segunda, entre a leitura e a marcação']);
      assert.deepEqual(await polling.pollNewMessages(), { found: 0 }, 'nothing new is left unread');
    } finally {
      await sim.close();
    }
  });

  it('with BRIDGE_READ_RECEIPTS=agent, hands over only what was never relayed and never marks a chat read', async () => {
    const sim = await startWppConnectSimulator({ secretKey: 'sim-secret-key', session: 'polling-agent' });
    try {
      sim.faults.webhookDown = true;
      sim.setReadMessage(false);
      const phone = newDriverPhone();
      await sim.receive({ from: phone, body: 'sem webhook' });
      const handed: string[] = [];
      const personal = await sharedPersonalData(db);
      const polling = createPollingActivities({
        db, personal, includeGroups: false, readReceipts: 'agent',
        wppconnect: createWppConnectClient({ baseUrl: sim.url, session: sim.session, secretKey: sim.secretKey, timeoutMs: 2_000 }),
        handOff: async (chat: string, events: ChatEvent[]) => {
          for (const event of events) {
            if (event.kind !== 'inbound') continue;
            handed.push(event.text ?? '');
            // As the chat's workflow does once it relayed it.
            await claimInboundRelay(db, personal, { chatId: chat, whatsappMessageId: event.whatsappId });
            await completeInboundRelay(db, personal, { chatId: chat, whatsappMessageId: event.whatsappId }, { chatwootMessageId: 1, chatwootConversationId: 1 });
          }
        },
      });
      assert.deepEqual(await polling.pollNewMessages(), { found: 1 });
      assert.deepEqual(await polling.pollNewMessages(), { found: 0 }, 'relayed already: not handed over again');
      assert.deepEqual(handed, ['sem webhook']);
      assert.equal(sim.chats()[0]!.unreadCount, 1, 'still unread: no blue ticks for the driver');
    } finally {
      await sim.close();
    }
  });
});
