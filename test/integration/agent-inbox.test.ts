/**
 * The durable hand-off of Chatwoot's webhook events (api/hand-offs/agent-inbox.ts) on a real
 * PostgreSQL: kept before the answer, handed to the chat's workflow once, in each chat's order,
 * through a Temporal that refuses for a while, an instance that dies holding events, and two
 * instances sweeping side by side. The chat workflows' side is a recorder standing in for Temporal
 * here (a refusal on demand); test/faults/ground-faults.test.ts kills the real Temporal server.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentReply, ChatEvent } from '../../domain/chat.ts';
import { createAgentInbox, type AgentInbox } from '../../api/hand-offs/agent-inbox.ts';
import type { ChatHandOff } from '../../api/hand-offs/chat.ts';
import { keyringOf } from '../../platform/crypto/keyring.ts';
import type { PersonalData } from '../../platform/crypto/personal-data.ts';
import { createDb, type Db } from '../../platform/db.ts';
import { migrate } from '../../platform/migrate.ts';
import { keepHandOff } from '../../platform/stores/chat-handoffs.ts';
import { chatSubject, destroySubjectKeys, loadPersonalData } from '../../platform/stores/data-keys.ts';
import { tombstoneDriver } from '../../platform/stores/driver-data.ts';
import { ownDatabase } from '../support/own-database.ts';
import { eventually } from '../support/test-system.ts';

let nextMessageId = 1;
const reply = (text: string): AgentReply => ({
  kind: 'outbound', chatwootMessageId: nextMessageId++, conversationId: 7, text, attachments: [], quotedWhatsappId: null,
});
let nextPhone = 0;
const newChat = () => `3519100${String(nextPhone++).padStart(5, '0')}@c.us`;

/** The chats' workflows as the inbox sees them: what each chat was handed, in order; refuses while `refusing`. */
function recordingChats() {
  const handed = new Map<string, string[]>();
  let refusing = false;
  const take = (chatId: string, events: ChatEvent[]) => {
    if (refusing) throw new Error('Temporal did not answer');
    for (const event of events) handed.set(chatId, [...(handed.get(chatId) ?? []), event.kind === 'outbound' ? event.text ?? '' : event.kind]);
  };
  const chats: ChatHandOff = {
    events: async (chatId, events) => take(chatId, events),
    control: async (chatId, control) => {
      take(chatId, [control]);
      return true;
    },
    full: () => false,
  };
  return { chats, handed: (chatId: string) => handed.get(chatId) ?? [], refuse: (on: boolean) => { refusing = on; } };
}

describe('agents\' events kept before the webhook answers, then handed to their chat', () => {
  const database = ownDatabase('leguas_agent_inbox');
  let db: Db;
  let personal: PersonalData;
  const inboxes: AgentInbox[] = [];
  // Each test a bridge of its own: the instances of another test's never take its events.
  let queue = '';
  let tests = 0;
  beforeEach(() => {
    queue = `bridge-inbox-test-${tests++}`;
  });
  afterEach(async () => {
    await Promise.all(inboxes.splice(0).map((inbox) => inbox.stop()));
  });

  const started = (chats: ChatHandOff, options: { everyMs?: number; holdMs?: number; queue?: string } = {}) => {
    const inbox = createAgentInbox(db, personal, chats, { queue, everyMs: 50, ...options });
    inbox.start();
    inboxes.push(inbox);
    return inbox;
  };
  const rowsOf = async (forQueue = queue) => Number((await db.query<{ count: string }>('SELECT count(*) FROM chat_handoffs WHERE queue = $1', [forQueue])).rows[0]!.count);

  before(async () => {
    await database.create();
    await migrate(database.url);
    db = createDb(database.url);
    personal = await loadPersonalData(db, keyringOf([{ id: 'k1', key: randomBytes(32) }]));
  });
  after(async () => {
    await db?.end();
    await database.drop();
  });

  it('hands an event off once it is kept, sealed while it waits, and a delivery Chatwoot doubles meanwhile once', async () => {
    const { chats, handed, refuse } = recordingChats();
    const inbox = started(chats);
    const chatId = newChat();
    await inbox.keep(chatId, reply('Bom dia'));
    await eventually(async () => (handed(chatId).length > 0 && (await rowsOf()) === 0 ? true : undefined), 5_000, 'handed off and deleted');
    refuse(true);
    const doubled = reply('Texto guardado selado');
    await inbox.keep(chatId, doubled);
    await inbox.keep(chatId, doubled);
    assert.equal(await rowsOf(), 1, 'the doubled delivery kept once');
    // The agent's text and the driver's number are kept sealed, never as they were written.
    const stored = await db.query<{ sealed: string; chat_id: string }>('SELECT sealed, chat_id FROM chat_handoffs');
    for (const row of stored.rows) assert.doesNotMatch(`${row.sealed} ${row.chat_id}`, /selado|3519100/);
    refuse(false);
    await eventually(async () => ((await rowsOf()) === 0 ? true : undefined), 10_000, 'handed off once Temporal answers');
    assert.deepEqual(handed(chatId), ['Bom dia', 'Texto guardado selado']);
  });

  it('keeps what Temporal refuses and hands it off when it answers again, each chat in its order, no chat held back by another', async () => {
    const { chats, handed, refuse } = recordingChats();
    const inbox = started(chats);
    const [slow, other] = [newChat(), newChat()];
    refuse(true);
    for (const text of ['um', 'dois', 'três']) await inbox.keep(slow, reply(text));
    await sleep(300);
    assert.deepEqual(handed(slow), []);
    assert.equal(await rowsOf(), 3, 'all three kept');
    refuse(false);
    // A reply in the same chat meanwhile waits behind the refused ones; another chat's goes at once.
    await inbox.keep(slow, reply('quatro'));
    await inbox.keep(other, reply('noutra conversa'));
    await eventually(async () => (handed(other).length === 1 ? true : undefined), 2_000, 'the other chat\'s reply at once');
    assert.deepEqual(handed(slow), [], 'the fourth reply did not overtake the refused ones');
    await eventually(async () => (handed(slow).length === 4 ? true : undefined), 10_000, 'the refused replies, once Temporal answers');
    assert.deepEqual(handed(slow), ['um', 'dois', 'três', 'quatro']);
    // Each row goes once its hand-off has answered: the last one's deletion may still be on its way.
    await eventually(async () => ((await rowsOf()) === 0 ? true : undefined), 5_000, 'every row deleted once handed off');
  });

  it('takes over what an instance that died was holding, once its hold ends', async () => {
    const chatId = newChat();
    // An instance kept it, held it for 300 ms to hand it off, and died before it could.
    const kept = await keepHandOff(db, personal, queue, chatId, reply('órfã'), 300);
    assert.equal(kept?.held, true);
    const { chats, handed } = recordingChats();
    started(chats);
    await sleep(150);
    assert.deepEqual(handed(chatId), [], 'not while the other instance holds it');
    await eventually(async () => (handed(chatId).length === 1 ? true : undefined), 5_000, 'taken over');
    assert.deepEqual(handed(chatId), ['órfã']);
  });

  it('two instances sweeping side by side hand each event off once, in each chat\'s order', async () => {
    const chatIds = [newChat(), newChat(), newChat()];
    const texts = Array.from({ length: 20 }, (_, index) => `resposta ${index + 1}`);
    // Left behind by an instance that could not hand them off (due now).
    for (const text of texts) for (const chatId of chatIds) await keepHandOff(db, personal, queue, chatId, reply(text), 0);
    const { chats, handed } = recordingChats();
    started(chats, { everyMs: 10 });
    started(chats, { everyMs: 10 });
    await eventually(async () => (chatIds.every((chatId) => handed(chatId).length >= texts.length) && (await rowsOf()) === 0 ? true : undefined), 10_000, 'every event handed off');
    await sleep(100);
    for (const chatId of chatIds) assert.deepEqual(handed(chatId), texts);
  });

  it('drops unopened the events of a chat whose key was destroyed, an erasure takes its events with it, and another bridge\'s events are left alone', async () => {
    const [shredded, erased, elsewhere] = [newChat(), newChat(), newChat()];
    await keepHandOff(db, personal, queue, shredded, reply('chave destruída'), 0);
    await keepHandOff(db, personal, queue, erased, reply('apagada'), 0);
    await keepHandOff(db, personal, 'another-bridge', elsewhere, reply('de outra ponte'), 0);
    await destroySubjectKeys(db, personal, [chatSubject(personal, shredded)]);
    await tombstoneDriver(db, personal, [], [erased]);
    assert.equal(await rowsOf(), 1, 'the erasure took its chat\'s event');
    const { chats, handed } = recordingChats();
    started(chats);
    await eventually(async () => ((await rowsOf()) === 0 ? true : undefined), 5_000, 'the shredded chat\'s event dropped');
    await sleep(200);
    assert.deepEqual([handed(shredded), handed(erased), handed(elsewhere)], [[], [], []]);
    assert.equal(await rowsOf('another-bridge'), 1, 'another bridge\'s event waits for its own instances');
  });
});
