import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { botLines } from '../../domain/texts/bot.ts';
import { insertBotSession } from '../../platform/stores/bot.ts';
import { botDialogue } from '../support/bot-dialogue.ts';
import { chatwootView } from '../support/bridge-views.ts';
import { flatPayload, sampleDocuments } from '../support/registration-payloads.ts';
import { eventually, useTestSystem } from '../support/test-system.ts';

const reminderAfterMs = 2_000;

describe('registration bot: a correction asked in a chat whose driver stays silent', () => {
  const system = useTestSystem(
    { BRIDGE_POLLING: 'false', BRIDGE_IDLE_TIMEOUT: '2s', TYPEBOT_REMINDER_AFTER: `${reminderAfterMs}ms`, TYPEBOT_SESSION_TTL: '10m' },
    { bridge: true, typebot: true },
  );

  it('starts the chat again (it had ended), asks, reminds once, and reviewers see the correction awaited', { timeout: 90_000 }, async () => {
    const sut = system();
    // A registration the flow posted from a chat's bot session, the chat's workflow long gone.
    const payload = flatPayload(await sampleDocuments());
    const phone = `351${String(payload.telefone).replace(/\s/g, '')}`;
    const linkToken = randomUUID();
    await insertBotSession(sut.system.db, { linkToken, chatId: `${phone}@c.us`, chatwootConversationId: null });
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
  });
});
