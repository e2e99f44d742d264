import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createPollingActivities } from '../../activities/bridge/polling.ts';
import type { ChatEvent } from '../../domain/chat.ts';
import { createWppConnectClient } from '../../integrations/wppconnect/client.ts';
import { createDb } from '../../platform/db.ts';
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
});
