/**
 * The WhatsApp session's health (issue 15): WPPConnect's simulator going through the states the real
 * server has (a QR to scan, the phone offline), the health Schedule triggered by the session webhooks,
 * the gauge, the private notes in the operations conversation (the QR as an image, refreshed when it
 * changes), and an agent's reply sent while WhatsApp is down: retried, not refused as an unknown
 * number, and delivered once when the session is back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sessionHealthScheduleId } from '../../domain/whatsapp-session.ts';
import { migrate } from '../../platform/migrate.ts';
import { chatwootView, newDriverPhone, waitForIncoming } from '../support/bridge-views.ts';
import { signedIn } from '../support/console-client.ts';
import { ownDatabase } from '../support/own-database.ts';
import { eventually, startTestSystem, type TestSystem } from '../support/test-system.ts';

/** The Chatwoot simulator numbers conversations from 1000: the first driver's is the operations conversation here. */
const operationsConversation = 1000;

/** On a database of its own: the session's health is one row per deployment, which other tests' systems would share. */
describe('WhatsApp session health', () => {
  const database = ownDatabase('leguas_session_health');
  let running: TestSystem | undefined;
  before(async () => {
    await database.create();
    await migrate(database.url);
    running = await startTestSystem(
      { WHATSAPP_HEALTH_SCHEDULE: 'true', WHATSAPP_HEALTH_EVERY: '3s', CHATWOOT_OPERATIONS_CONVERSATION: String(operationsConversation), BRIDGE_POLLING: 'false' },
      { bridge: true, databaseUrl: database.url },
    );
  });
  after(async () => {
    await running?.system.temporal.schedule.getHandle(sessionHealthScheduleId(running.config.BRIDGE_TASK_QUEUE)).delete().catch(() => undefined);
    await running?.stop();
    await database.drop();
  });
  const system = () => running!;

  const notes = (sut: TestSystem) => sut.chatwoot!.messages(operationsConversation).filter((message) => message.private);
  const gauge = async (sut: TestSystem) => (await sut.system.metrics.getSingleMetricAsString('whatsapp_session_state')).split('\n').find((line) => line.endsWith(' 1'))?.match(/state="(\w+)"/)?.[1];
  const noted = (sut: TestSystem, pattern: RegExp, count = 1, what = String(pattern)) =>
    eventually(async () => (notes(sut).filter((note) => pattern.test(note.content ?? '')).length >= count ? true : undefined), 30_000, what);

  it('notes a QR to scan (refreshed when it changes), holds an agent\'s reply until the session is back, and says so', async () => {
    const sut = system();
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'Olá' });
    const { conversationId } = await waitForIncoming(sut, phone, 'Olá');
    assert.equal(conversationId, operationsConversation, 'the first conversation stands for the operations one');
    await eventually(async () => ((await gauge(sut)) === 'CONNECTED' ? true : undefined), 30_000, 'the gauge at CONNECTED');

    // The session needs a scan: the webhooks make the check run at once.
    await sut.wpp.requireQr();
    await noted(sut, /deixou de estar ligado.*código QR/s, 1, 'the down note');
    await noted(sut, /leia o código QR em anexo/, 1, 'the QR note');
    const qrNote = notes(sut).find((note) => /código QR em anexo/.test(note.content ?? ''))!;
    assert.equal(qrNote.attachments[0]?.contentType, 'image/png');
    assert.equal(await gauge(sut), 'QRCODE');
    // Operators see it in the console too, with the QR to scan.
    const { client } = await signedIn(sut, `ops-${Date.now()}`, 'operator');
    const page = await client.get('/console/whatsapp');
    assert.match(page.html, /data-state="QRCODE"/);
    assert.match(page.html, /<meta http-equiv="refresh" content="10">/, 'reloads itself to show the next QR code');
    const qr = await client.get('/console/whatsapp/qr.png');
    assert.equal(qr.status, 200);
    assert.equal(qr.headers.get('content-type'), 'image/png');

    // An agent answers meanwhile: WhatsApp says the number does not exist (the session is unpaired); it is retried, not refused.
    await sut.chatwoot!.agentReply(conversationId, { content: 'Já vemos isso.' });
    const refusedSends = () => sut.wpp.requests.filter((request) => request.route.endsWith('/send-message') && request.status === 400).length;
    await eventually(async () => (refusedSends() >= 2 ? true : undefined), 30_000, 'the reply refused by WhatsApp ("não existe"), and tried again');
    await sut.wpp.requireQr();
    await noted(sut, /leia o código QR em anexo/, 2, 'a second QR note for the new code');
    assert.equal(sut.wpp.sent.filter((message) => message.body === 'Já vemos isso.').length, 0, 'not sent while unpaired');
    const failed = await sut.system.db.query<{ n: number }>("SELECT count(*)::int AS n FROM whatsapp_deliveries WHERE status = 'failed'");
    assert.equal(failed.rows[0]!.n, 0, 'no delivery refused for good');

    await sut.wpp.scanQr();
    await noted(sut, /ligado de novo/, 1, 'the back note');
    await eventually(async () => (sut.wpp.sent.filter((message) => message.body === 'Já vemos isso.').length === 1 ? true : undefined), 60_000, 'the reply on WhatsApp once the session is back');
    assert.equal(await gauge(sut), 'CONNECTED');
    assert.equal(chatwootView(sut).incomingTexts(phone).length, 1);
    // Each webhook of a burst triggers a check; each change is noted once all the same.
    const count = (pattern: RegExp) => notes(sut).filter((note) => pattern.test(note.content ?? '')).length;
    assert.deepEqual([count(/deixou de estar ligado/), count(/código QR em anexo/), count(/ligado de novo/)], [1, 2, 1]);
  });

  it('tells a phone offline apart (WPPConnect still says CONNECTED) from its webhooks', async () => {
    const sut = system();
    const before = notes(sut).length;
    await sut.wpp.phoneOffline();
    await eventually(async () => ((await gauge(sut)) === 'PHONE_OFFLINE' ? true : undefined), 30_000, 'the gauge at PHONE_OFFLINE');
    await eventually(async () => (notes(sut).slice(before).some((note) => /telemóvel da empresa está sem ligação/.test(note.content ?? '')) ? true : undefined), 30_000, 'the phone-offline note');
    await sut.wpp.phoneOnline();
    await eventually(async () => ((await gauge(sut)) === 'CONNECTED' ? true : undefined), 30_000, 'the gauge back at CONNECTED');
  });
});
