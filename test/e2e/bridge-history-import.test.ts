/**
 * History import (issue 17): a chat bridged for the first time brings its WhatsApp history of the
 * last BRIDGE_HISTORY_IMPORT_DAYS into its Chatwoot conversation, oldest first, each message once,
 * marked as imported, at the configured pace, with private notes of its progress; resumable after
 * the worker is killed; an operator backfills one chat or all of them, and what was imported is
 * never posted again.
 */
import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { historyPlace, startHistoryImport } from '../../api/hand-offs/history-import.ts';
import { allHistoryImportWorkflowId, historyImportWorkflowId } from '../../domain/chat.ts';
import { tombstoneDriver } from '../../platform/stores/driver-data.ts';
import type { historyImport } from '../../workflows/history-import.ts';
import type { MessageRecord } from '../simulators/chatwoot/index.ts';
import { chatAtRest, chatwootView, newDriverPhone, waitForIncoming } from '../support/bridge-views.ts';
import { killChildWorker as kill, startChildWorker as startWorker } from '../support/child-worker.ts';
import { eventually, testEnvironment, useTestSystem, type TestSystem } from '../support/test-system.ts';

const run = promisify(execFile);
const operatorToken = randomBytes(24).toString('base64url');
const perMinute = 1200;
const day = 86_400_000;

/** A chat's history on the phone: `count` messages a minute apart, ending an hour ago, every fifth typed on the company's phone. */
function historyOf(count: number, label: string) {
  const end = Date.now() - 3_600_000;
  return Array.from({ length: count }, (_, index) => ({
    fromMe: index % 5 === 4,
    body: `${label} ${index + 1}`,
    at: new Date(end - (count - index) * 60_000),
  }));
}

/** The conversation's messages posted for WhatsApp messages (`wa:` source ids), in Chatwoot's order. */
const relayedOf = (sut: TestSystem, conversationId: number): MessageRecord[] =>
  [...sut.chatwoot!.messages(conversationId)].filter((message) => message.sourceId?.startsWith('wa:') === true).sort((a, b) => a.id - b.id);
const notesOf = (sut: TestSystem, conversationId: number) =>
  sut.chatwoot!.messages(conversationId).filter((message) => message.private && message.sourceId?.startsWith('note:history:') === true).map((message) => message.content ?? '');

describe('history import: a chat bridged for the first time brings its WhatsApp history, in order, once', () => {
  let worker: ChildProcess;
  const system = useTestSystem(
    { BRIDGE_POLLING: 'false', BRIDGE_HISTORY_IMPORT_DAYS: '7', BRIDGE_HISTORY_IMPORT_PER_MINUTE: String(perMinute), OPERATOR_TOKENS: `olga:${operatorToken}` },
    { bridge: true, worker: false },
    {
      started: async (sut) => {
        worker = await startWorker(sut);
      },
      stopping: () => kill(worker),
    },
  );

  it('imports 500 messages once, in order, marked, at its pace, and takes up where it stopped after the worker is killed', { timeout: 240_000 }, async (t) => {
    const sut = system();
    const began = Date.now();
    const phone = newDriverPhone();
    const history = historyOf(500, 'Histórico');
    const { ids } = sut.wpp.history({ chat: phone, messages: [{ body: 'Antes da janela', at: new Date(Date.now() - 40 * day) }, ...history] });
    const historyIds = ids.slice(1);

    await sut.wpp.receive({ from: phone, body: 'Olá, voltei' });
    const { conversationId } = await waitForIncoming(sut, phone, 'Olá, voltei', 20_000);
    // Killed in the middle: the import is taken up by the next worker, from where it stopped.
    await eventually(async () => (relayedOf(sut, conversationId).length >= 150 ? true : undefined), 60_000, 'the import under way');
    await kill(worker);
    const beforeRestart = relayedOf(sut, conversationId).length;
    assert.ok(beforeRestart < 501, 'killed before the end');
    const killedAt = Date.now();
    worker = await startWorker(sut);
    await eventually(async () => (notesOf(sut, conversationId).some((note) => note.startsWith('✅')) ? true : undefined), 150_000, 'the import finished');
    t.diagnostic(`imported: ${beforeRestart - 1} before the kill, the rest ${((Date.now() - killedAt) / 1000).toFixed(1)} s after it; ${((Date.now() - began) / 1000).toFixed(1)} s in all`);

    const relayed = relayedOf(sut, conversationId);
    const posted = relayed.map((message) => message.sourceId!.slice(3));
    assert.equal(new Set(posted).size, posted.length, 'no WhatsApp message posted twice');
    assert.equal(posted.includes(ids[0]!), false, 'nothing older than the window');
    const imported = relayed.filter((message) => message.content?.startsWith('[Importada · ') === true);
    assert.deepEqual(imported.map((message) => message.sourceId!.slice(3)), historyIds, 'all 500, in WhatsApp\'s order');
    for (const [index, message] of imported.entries()) {
      const { fromMe, body } = history[index]!;
      assert.ok(message.content!.endsWith(`\n${body}`), `message ${index + 1} says what it said`);
      assert.equal(message.messageType, fromMe ? 'outgoing' : 'incoming', `message ${index + 1} on its side`);
      assert.equal(message.content!.includes('enviada pelo telemóvel da empresa'), fromMe);
    }
    assert.deepEqual(relayed.filter((message) => message.content === 'Olá, voltei').length, 1, 'the live message once, not marked');
    assert.deepEqual(notesOf(sut, conversationId).map((note) => note.split(':')[0]), [
      '🕘 A importar o histórico do WhatsApp', ...[100, 200, 300, 400].map(() => '🕘 Histórico do WhatsApp'), '✅ Histórico do WhatsApp importado',
    ]);
    assert.match(notesOf(sut, conversationId)[0]!, /500 mensagens de \d\d\/\d\d\/\d{4} a \d\d\/\d\d\/\d{4}/);
    assert.deepEqual(notesOf(sut, conversationId).slice(1, 5), [100, 200, 300, 400].map((done) => `🕘 Histórico do WhatsApp: ${done} de 500 mensagens desses dias já estão nesta conversa.`));
    assert.match(notesOf(sut, conversationId).at(-1)!, /^✅ Histórico do WhatsApp importado: as 500 mensagens de \d\d\/\d\d\/\d{4} a \d\d\/\d\d\/\d{4} estão nesta conversa\.$/);

    // At its pace: never more posts in a second than the configured rate allows (the live message besides).
    const posts = sut.chatwoot!.requests.filter((request) => request.method === 'POST' && request.route.endsWith('/messages')).map((request) => request.at).sort((a, b) => a - b);
    let busiest = 0;
    for (let first = 0, last = 0; last < posts.length; last++) {
      while (posts[last]! - posts[first]! >= 1000) first += 1;
      busiest = Math.max(busiest, last - first + 1);
    }
    t.diagnostic(`busiest second: ${busiest} posts (pace ${perMinute / 60} a second)`);
    assert.ok(busiest <= perMinute / 60 + 2, `at most ${perMinute / 60} posts a second (+2), saw ${busiest}`);
    assert.equal(sut.chatwoot!.requests.filter((request) => request.status === 429).length, 0);
    await chatAtRest(sut, phone);
  });

  it('an operator backfills a chat again (nothing doubled, a longer window adds the older messages) or every chat; a second run while one goes is refused', { timeout: 120_000 }, async () => {
    const sut = system();
    const phone = newDriverPhone();
    const { ids } = sut.wpp.history({ chat: phone, messages: [{ body: 'De há dez dias', at: new Date(Date.now() - 10 * day) }, ...historyOf(20, 'Conversa')] });
    await sut.wpp.receive({ from: phone, body: 'Bom dia' });
    const { conversationId } = await waitForIncoming(sut, phone, 'Bom dia', 20_000);
    await eventually(async () => (notesOf(sut, conversationId).some((note) => note.startsWith('✅')) ? true : undefined), 60_000, 'the first import');
    assert.equal(relayedOf(sut, conversationId).length, 21);
    // An agent answers: what the bridge sends is the company's on WhatsApp, and never imported back.
    await sut.chatwoot!.agentReply(conversationId, { content: 'Bom dia! Diga.' });
    await eventually(async () => (sut.wpp.sent.some((message) => message.phone === phone && message.body === 'Bom dia! Diga.') ? true : undefined), 20_000, 'the reply on WhatsApp');

    const backfill = (token: string, body: unknown) => fetch(`${sut.system.apiUrl}/chats/history-import`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    assert.equal((await backfill(sut.reviewerToken, { phone })).status, 403, 'operators only');
    assert.equal((await backfill(operatorToken, { phone: 'abc' })).status, 400);
    assert.equal((await backfill(operatorToken, { phone, all: true })).status, 400, 'one chat or all, not both');

    // The same window again (the driver's last ten minutes are the live relay's): everything there already, nothing posted.
    const again = await backfill(operatorToken, { phone });
    assert.equal(again.status, 202);
    const workflowId = historyImportWorkflowId(sut.system.personal, `${phone}@c.us`);
    assert.deepEqual(await again.json(), { workflow_id: workflowId, days: 7 });
    assert.deepEqual(await sut.system.temporal.workflow.getHandle(workflowId).result(), { chats: 1, messages: 20, imported: 0, skipped: 0 });

    // Thirty days through the operator's command: the one older message comes, once, marked with its date.
    const script = await run(process.execPath, ['--import', 'tsx', 'scripts/history-import.ts', `+${phone}`, '--days', '30'], {
      env: { ...process.env, DATABASE_URL: testEnvironment().databaseUrl, TEMPORAL_ADDRESS: testEnvironment().temporalAddress, DATA_DIR: sut.config.DATA_DIR, BRIDGE_TASK_QUEUE: sut.config.BRIDGE_TASK_QUEUE, NODE_ENV: 'test' },
    });
    assert.deepEqual(JSON.parse(script.stdout), { workflow_id: workflowId, days: 30 });
    assert.deepEqual(await sut.system.temporal.workflow.getHandle(workflowId).result(), { chats: 1, messages: 21, imported: 1, skipped: 0 });
    const relayed = relayedOf(sut, conversationId);
    assert.equal(relayed.length, 22, 'the older message added; the agent\'s reply not imported back');
    assert.equal(relayed.filter((message) => message.sourceId === `wa:${ids[0]}`).length, 1);

    // Every chat: one run at a time.
    await withSlowWhatsApp(sut, async () => {
      const all = await backfill(operatorToken, { all: true, days: 30 });
      assert.equal(all.status, 202);
      assert.equal((await backfill(operatorToken, { all: true })).status, 409, 'refused while the first runs');
    });
    const summary = await sut.system.temporal.workflow.getHandle<typeof historyImport>(allHistoryImportWorkflowId).result();
    assert.ok(summary.chats >= 2 && summary.imported === 0 && summary.skipped === 0, `every chat looked at, each by its own import, their history there already: ${JSON.stringify(summary)}`);
    assert.equal(relayedOf(sut, conversationId).length, 22, 'nothing doubled');
    const audited = await sut.system.db.query<{ outcome: string }>("SELECT outcome FROM audit_log WHERE action = 'import_history' AND actor = 'olga' ORDER BY id");
    assert.deepEqual(audited.rows.map((row) => row.outcome), ['accepted', 'accepted', 'refused']);
  });
});

describe('history import against Chatwoot\'s rate limit', () => {
  const metricsToken = randomBytes(24).toString('base64url');
  const system = useTestSystem(
    { BRIDGE_POLLING: 'false', BRIDGE_HISTORY_IMPORT_DAYS: '7', BRIDGE_HISTORY_IMPORT_PER_MINUTE: String(perMinute), METRICS_TOKEN: metricsToken },
    { bridge: true },
  );

  it('keeps to Chatwoot\'s rate limit when it answers 429: each message still once, in order', { timeout: 120_000 }, async (t) => {
    const sut = system();
    const began = Date.now();
    const phone = newDriverPhone();
    const { ids } = sut.wpp.history({ chat: phone, messages: historyOf(40, 'Limitado') });
    sut.chatwoot!.faults.throttle = { limit: 4, periodMs: 1000 };
    try {
      await sut.wpp.receive({ from: phone, body: 'Estão aí?' });
      const { conversationId } = await waitForIncoming(sut, phone, 'Estão aí?', 60_000);
      await eventually(async () => (notesOf(sut, conversationId).some((note) => note.startsWith('✅')) ? true : undefined), 100_000, 'the import, throttled');
      const imported = relayedOf(sut, conversationId).filter((message) => message.content?.startsWith('[Importada · ') === true);
      assert.deepEqual(imported.map((message) => message.sourceId!.slice(3)), ids);
      const throttled = sut.chatwoot!.requests.filter((request) => request.status === 429).length;
      t.diagnostic(`40 messages under a limit of 4 requests a second: ${throttled} answered 429, ${((Date.now() - began) / 1000).toFixed(1)} s`);
      assert.ok(throttled > 0, 'Chatwoot did throttle');
    } finally {
      sut.chatwoot!.faults.throttle = null;
    }
    assert.equal(chatwootView(sut).conversationsOf(phone).length, 1);

    // The driver erased (their chat's records and key gone, its erasure kept): a backfill brings back none of it.
    await tombstoneDriver(sut.system.db, sut.system.personal, [], [`${phone}@c.us`]);
    // The codec seals with a subject's key looked up at most a second before (README, "Personal data"):
    // a workflow of this chat started sooner would be sealed with the key just destroyed.
    await sleep(1_500);
    const again = await startHistoryImport(sut.system.temporal, sut.system.personal, historyPlace(sut.config), { chatId: `${phone}@c.us`, days: 30, until: Math.floor(Date.now() / 1000), trigger: 'operator' });
    assert.deepEqual(await sut.system.temporal.workflow.getHandle<typeof historyImport>(again!).result(), { chats: 1, messages: 0, imported: 0, skipped: 0 });

    // Counted: by who sent them, and the chat by what started its import.
    const metrics = await (await fetch(`${sut.system.apiUrl}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
    assert.match(metrics, /^bridge_history_messages_imported_total\{direction="driver"\} 32$/m);
    assert.match(metrics, /^bridge_history_messages_imported_total\{direction="company"\} 8$/m);
    assert.match(metrics, /^bridge_history_chats_imported_total\{trigger="first-bridge"\} 1$/m);
  });
});

/** WhatsApp answers slowly meanwhile: an import started then is certainly still running. */
async function withSlowWhatsApp(sut: TestSystem, run: () => Promise<void>): Promise<void> {
  sut.wpp.faults.delayMs = 1500;
  try {
    await run();
  } finally {
    sut.wpp.faults.delayMs = 0;
  }
}
