import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { botLines } from '../../domain/texts/bot.ts';
import { makeJpeg } from '../fixtures/documents.ts';
import { insertBotSession } from '../../platform/stores/bot.ts';
import { chatMediaFolder } from '../../platform/storage/chat-media-key.ts';
import { botDialogue } from '../support/bot-dialogue.ts';
import { chatwootView } from '../support/bridge-views.ts';
import { flatPayload, sampleDocuments } from '../support/registration-payloads.ts';
import { eventually, useTestSystem } from '../support/test-system.ts';

const reminderAfterMs = 2_000;
const operatorToken = `operator-${randomUUID()}`;

describe('registration bot: a correction asked in a chat whose driver stays silent', () => {
  const system = useTestSystem(
    { BRIDGE_POLLING: 'false', BRIDGE_IDLE_TIMEOUT: '2s', TYPEBOT_REMINDER_AFTER: `${reminderAfterMs}ms`, TYPEBOT_SESSION_TTL: '10m', OPERATOR_TOKENS: `olga:${operatorToken}` },
    { bridge: true, typebot: true },
  );

  it('starts the chat again (it had ended), asks, reminds once, and reviewers see the correction awaited', { timeout: 90_000 }, async () => {
    const sut = system();
    // A registration the flow posted from a chat's bot session, the chat's workflow long gone.
    const payload = flatPayload(await sampleDocuments());
    const phone = `351${String(payload.telefone).replace(/\s/g, '')}`;
    const linkToken = randomUUID();
    await insertBotSession(sut.system.db, sut.system.personal, { linkToken, chatId: `${phone}@c.us`, chatwootConversationId: null });
    const created = await sut.call('POST', '/drivers/register-typebot/', { ...payload, sessao_conversa: linkToken });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = String(created.body.registration_id);
    const statusOf = async () => (await sut.asReviewer('GET', `/drivers/${id}`)).body.status;
    await eventually(async () => ((await statusOf()) === 'pending_approval' ? true : undefined), 20_000, 'pending');

    assert.equal((await sut.asReviewer('POST', `/drivers/${id}/request-correction`, { items: ['email'], message: 'O email devolve as mensagens.' })).status, 200);
    const driver = botDialogue(sut, phone);
    const heard = await driver.hears('the request, then the question', { count: 2 });
    assert.match(heard.at(-1) ?? '', /email/i);
    const reminder = await driver.hears('the reminder', { timeoutMs: reminderAfterMs + 20_000 });
    assert.deepEqual(reminder, [botLines.reminder]);
    await driver.hearsNothingFor(3 * reminderAfterMs, 'a second reminder');
    assert.equal(await statusOf(), 'correction_requested');
    // The bot's part is in a Chatwoot conversation of the chat, opened for it.
    const conversation = chatwootView(sut).conversationIdOf(phone);
    assert.ok(sut.chatwoot!.messages(conversation).some((message) => /^🤖 .*email/is.test(message.content ?? '')), "the bot's question in Chatwoot");

    // The driver then asks to be forgotten, with a photo sent in the chat: the chat's records and media go too.
    await sut.wpp.receive({ from: phone, type: 'image', media: { bytes: await makeJpeg({ width: 200, height: 150 }), mimetype: 'image/jpeg' }, caption: 'foto' });
    await driver.replies('the photo handled');
    // The bot's and the bridge's tables name the chat by its keyed hash.
    const chatKey = sut.system.personal.index('chat', `${phone}@c.us`);
    const chatRecords = async () => {
      const count = async (sql: string, params: unknown[]) => (await sut.system.db.query(sql, params)).rowCount ?? 0;
      return {
        sessions: await count('SELECT 1 FROM bot_sessions WHERE chat_id = $1', [chatKey]),
        turns: await count('SELECT 1 FROM bot_turns WHERE chat_id = $1', [chatKey]),
        relayed: await count('SELECT 1 FROM bridge_messages WHERE chat_id = $1', [chatKey]),
        media: (await sut.storedFiles()).filter((file) => file.includes(`/${chatMediaFolder(sut.system.personal, `${phone}@c.us`)}/`)).length,
      };
    };
    const held = await chatRecords();
    assert.ok(held.sessions > 0 && held.turns > 0 && held.relayed > 0 && held.media > 0, JSON.stringify(held));
    const erased = await fetch(`${sut.system.apiUrl}/drivers/erase`, {
      method: 'POST', headers: { authorization: `Bearer ${operatorToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ registration_id: id }),
    });
    assert.equal(erased.status, 200, await erased.clone().text());
    assert.deepEqual(await chatRecords(), { sessions: 0, turns: 0, relayed: 0, media: 0 });
  });
});
