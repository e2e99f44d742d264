/**
 * The sandbox's web page in a real browser (headless Chromium): the driver's phone and the agent's
 * inbox on one page, over the whole system with both simulators, updating live.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { startSandboxConsole, type SandboxConsole } from '../../scripts/sandbox-console.ts';
import { makeJpeg } from '../fixtures/documents.ts';
import { chatAtRest } from '../support/bridge-views.ts';
import { screenshot, withPage } from '../support/browser.ts';
import { eventually, testEnvironment, useTestSystem } from '../support/test-system.ts';

const temporalUi = 'http://127.0.0.1:8233';

describe('The sandbox page (npm start: open http://127.0.0.1:8090)', () => {
  let sandbox: SandboxConsole;
  // A driver with a past chat has it imported when they first write ("Novo, com histórico").
  const system = useTestSystem({ BRIDGE_HISTORY_IMPORT_DAYS: '7', BRIDGE_HISTORY_IMPORT_PER_MINUTE: '1200' }, { bridge: true }, {
    started: async (sut) => {
      sandbox = await startSandboxConsole({ wpp: sut.wpp, chatwoot: sut.chatwoot!, links: { console: `${sut.system.apiUrl!}/console`, temporalUi } });
    },
    stopping: () => sandbox.close(),
  });

  /** The phone's bubbles: what the driver wrote (`sent`) or got (`received`), holding `text`. */
  const bubbles = (page: Page, direction: 'sent' | 'received', text?: string): Locator => {
    const all = page.getByTestId('phone-messages').locator(`[data-testid="phone-message"][data-direction="${direction}"]`);
    return text === undefined ? all : all.filter({ hasText: text });
  };
  /** The open conversation's messages of a type (incoming, outgoing, activity), holding `text`. */
  const inboxMessages = (page: Page, type: 'incoming' | 'outgoing', text?: string): Locator => {
    const all = page.getByTestId('inbox-messages').locator(`[data-testid="inbox-message"][data-type="${type}"]`);
    return text === undefined ? all : all.filter({ hasText: text });
  };
  /** Waits until the locator matches exactly `count` elements. */
  const countOf = (locator: Locator, count: number, what: string) =>
    eventually(async () => ((await locator.count()) === count ? true : undefined), 15_000, `${count} × ${what}`);

  it('lets one person play the driver and the agent: messages both ways live, ticks, a label, a private note kept off the phone, a photo from disk', async (t) => {
    await withPage(t, async (page) => {
      const sut = system();
      const chatwoot = sut.chatwoot!;
      await page.goto(sandbox.url);
      await page.getByTestId('live-status').getByText('Ao vivo').waitFor();
      assert.equal(await page.getByTestId('console-link').getAttribute('href'), `${sut.system.apiUrl!}/console`);
      assert.equal(await page.getByTestId('temporal-link').getAttribute('href'), temporalUi);

      // A new driver: a valid Portuguese mobile no chat has used yet.
      await page.getByTestId('new-driver').click();
      const phone = await eventually(async () => {
        const shown = ((await page.getByTestId('driver-phone').textContent()) ?? '').replaceAll(' ', '');
        return /^\+3519[1236]\d{7}$/.test(shown) ? shown : undefined;
      }, 10_000, 'a new driver on the phone');
      assert.ok(!sut.wpp.chats().some((chat) => chat.id === `${phone.slice(1)}@c.us`), 'the new number is not a chat yet');

      // The driver writes (the keyboard is enough: Enter sends) and the inbox shows it without a reload.
      await page.getByLabel('Nome no WhatsApp (opcional)').fill('Rui Sandbox');
      await page.getByLabel('Mensagem do motorista').fill('Olá');
      await page.getByLabel('Mensagem do motorista').press('Enter');
      await bubbles(page, 'sent', 'Olá').waitFor();
      const item = page.getByTestId('conversation-item').filter({ hasText: 'Rui Sandbox' });
      await item.waitFor();
      await item.click();
      await inboxMessages(page, 'incoming', 'Olá').waitFor();
      const conversationId = Number(await item.getAttribute('data-conversation-id'));
      assert.equal(chatwoot.contacts().find((contact) => contact.phoneNumber === phone)?.name, 'Rui Sandbox');

      // The agent replies; the phone gets it, delivered (✓✓), and once read, blue, which Chatwoot learns too.
      await page.getByTestId('reply-text').fill('Bom dia! Em que posso ajudar?');
      await page.getByTestId('reply-send').click();
      const reply = bubbles(page, 'received', 'Bom dia! Em que posso ajudar?');
      await reply.and(page.locator('[data-ack="2"]')).waitFor();
      assert.equal(await reply.getByTestId('ticks').getAttribute('aria-label'), 'Entregue');
      assert.equal(await reply.getByTestId('ticks').textContent(), '✓✓');
      await inboxMessages(page, 'outgoing', 'Bom dia!').getByTestId('delivery-status').getByText('Entregue').waitFor();
      await page.getByTestId('phone-read').click();
      await reply.and(page.locator('[data-ack="3"]')).waitFor();
      assert.equal(await reply.getByTestId('ticks').getAttribute('aria-label'), 'Lida');
      assert.match((await reply.getByTestId('ticks').getAttribute('class')) ?? '', /\bread\b/);
      await inboxMessages(page, 'outgoing', 'Bom dia!').getByTestId('delivery-status').getByText('Lida').waitFor();

      // A label, shown on the conversation and stored in Chatwoot.
      await page.getByLabel('Nova etiqueta').fill('documentos');
      await page.getByTestId('label-add').click();
      await page.getByTestId('conversation-labels').getByTestId('label').filter({ hasText: 'documentos' }).waitFor();
      assert.deepEqual(chatwoot.labels(conversationId), ['documentos']);

      // A private note shows in the inbox as a note, never on the phone: a reply written after it arrives, the note does not.
      await page.getByTestId('reply-text').fill('Confirmar a morada antes de aprovar');
      await page.getByTestId('note-send').click();
      const note = page.getByTestId('inbox-messages').locator('[data-private="true"]').filter({ hasText: 'Confirmar a morada' });
      await note.waitFor();
      assert.match(await note.innerText(), /Nota privada/);
      await page.getByTestId('reply-text').fill('Até já');
      await page.getByTestId('reply-text').press('Enter');
      await bubbles(page, 'received', 'Até já').waitFor();
      await chatAtRest(sut, phone.slice(1), 'the chat to handle the note and the reply');
      await countOf(bubbles(page, 'received'), 2, 'messages on the phone (the two replies)');
      assert.equal(await page.getByTestId('phone-messages').getByText('Confirmar a morada').count(), 0, 'the note is not on the phone');
      assert.ok(!sut.wpp.sent.some((message) => message.body.includes('Confirmar a morada')), 'the note was not sent to WhatsApp');

      await page.getByTestId('assign').click();
      await page.getByTestId('conversation-assignee').getByText('Atribuída a Ana (Suporte)').waitFor();

      // The driver sends their own photo from disk; it shows on the phone, and as a picture in the inbox.
      const photo = path.join(testEnvironment().scratchDir, `carta-de-conducao-${Date.now()}.jpg`);
      await writeFile(photo, await makeJpeg({ width: 900, height: 600 }));
      await page.getByLabel('Fotografia ou PDF deste computador').setInputFiles(photo);
      await page.getByTestId('phone-upload').click();
      await bubbles(page, 'sent').and(page.locator('[data-type="image"]')).waitFor();
      const picture = inboxMessages(page, 'incoming').locator('img');
      await picture.waitFor();
      await countOf(inboxMessages(page, 'incoming'), 2, 'incoming messages (the "Olá" and the photo)');
      const size = await eventually(async () => {
        // Runs in the page: an <img>'s own fields (this project's types are Node's, not the DOM's).
        const width = await picture.evaluate((image) => {
          const { complete, naturalWidth } = image as unknown as { complete: boolean; naturalWidth: number };
          return complete ? naturalWidth : 0;
        });
        return width > 0 ? width : undefined;
      }, 10_000, 'the photo to load in the inbox');
      assert.equal(size, 900, 'the inbox shows the driver\'s photo as Chatwoot holds it');

      await screenshot(page, 'sandbox');

      // Narrow screens get the phone above the inbox.
      await page.setViewportSize({ width: 390, height: 800 });
      const phoneBox = await page.getByRole('region', { name: 'Telemóvel do motorista' }).boundingBox();
      const inboxBox = await page.getByRole('region', { name: 'Caixa de entrada do agente (Chatwoot)' }).boundingBox();
      assert.ok(phoneBox !== null && inboxBox !== null && inboxBox.y >= phoneBox.y + phoneBox.height, `stacked: ${JSON.stringify({ phoneBox, inboxBox })}`);
      await page.setViewportSize({ width: 1280, height: 860 });

      await page.getByTestId('resolve').click();
      await page.getByTestId('conversation-status').getByText('Resolvida').waitFor();
      assert.equal(chatwoot.conversations().find((conversation) => conversation.id === conversationId)?.status, 'resolved');
    });
  });

  it('plays what people do to messages: a reaction, the agent typing, a deletion on each side', async (t) => {
    await withPage(t, async (page) => {
      const sut = system();
      await page.goto(sandbox.url);
      await page.getByTestId('live-status').getByText('Ao vivo').waitFor();
      await page.getByTestId('new-driver').click();
      await page.getByLabel('Nome no WhatsApp (opcional)').fill('Ana Reações');
      await page.getByLabel('Mensagem do motorista').fill('Já cheguei ao armazém');
      await page.getByLabel('Mensagem do motorista').press('Enter');
      const item = page.getByTestId('conversation-item').filter({ hasText: 'Ana Reações' });
      await item.click();
      await inboxMessages(page, 'incoming', 'Já cheguei ao armazém').waitFor();

      // The driver reacts to their message: the inbox shows it against that message.
      await bubbles(page, 'sent', 'Já cheguei ao armazém').getByTestId('phone-react').click();
      const reaction = inboxMessages(page, 'incoming', 'Reagiu com 👍');
      await reaction.waitFor();
      assert.equal(await reaction.getByTestId('reply-to').textContent(), '↪ Já cheguei ao armazém');

      // The agent types: "a escrever…" on the phone until the reply goes.
      await page.getByTestId('reply-text').pressSequentially('Ótimo, obrigado', { delay: 20 });
      await page.getByTestId('phone-typing').waitFor({ state: 'visible' });
      await page.getByTestId('reply-text').press('Enter');
      await bubbles(page, 'received', 'Ótimo, obrigado').waitFor();
      await page.getByTestId('phone-typing').waitFor({ state: 'hidden' });

      // The driver deletes their message for everyone: gone from the phone, kept in the inbox with a note.
      await bubbles(page, 'sent', 'Já cheguei ao armazém').getByTestId('phone-delete').click();
      await bubbles(page, 'sent', 'Apagou esta mensagem').waitFor();
      // The first message holding the words is the original (the reaction after it quotes it).
      assert.match(await inboxMessages(page, 'incoming', 'Já cheguei ao armazém').first().getByText('Já cheguei ao armazém', { exact: true }).innerText(), /Já cheguei/);
      const note = page.getByTestId('inbox-messages').locator('[data-private="true"]').filter({ hasText: 'apagou esta mensagem para todos' });
      await note.waitFor();
      assert.equal(await note.getByTestId('reply-to').textContent(), '↪ Já cheguei ao armazém');

      // The agent deletes their reply: it is deleted on the driver's phone too.
      await inboxMessages(page, 'outgoing', 'Ótimo, obrigado').getByTestId('agent-delete').click();
      await bubbles(page, 'received', 'Esta mensagem foi apagada').waitFor();
      await chatAtRest(sut, ((await page.getByTestId('driver-phone').textContent()) ?? '').replace(/\D/g, ''), 'the chat to handle the deletion');
      assert.equal(sut.wpp.deletions.at(-1)?.forEveryone, true);
    });
  });

  it('a driver with a past chat: it shows on the phone, and their first message brings it into the inbox, marked as imported', async (t) => {
    await withPage(t, async (page) => {
      const sut = system();
      await page.goto(sandbox.url);
      await page.getByTestId('live-status').getByText('Ao vivo').waitFor();
      await page.getByTestId('new-driver-history').click();
      await countOf(bubbles(page, 'sent'), 4, 'the driver\'s past messages on the phone');
      await countOf(bubbles(page, 'received'), 3, 'the company phone\'s past messages on the phone');

      await page.getByLabel('Nome no WhatsApp (opcional)').fill('Marta Histórico');
      await page.getByLabel('Mensagem do motorista').fill('Bom dia, voltei');
      await page.getByLabel('Mensagem do motorista').press('Enter');
      const item = page.getByTestId('conversation-item').filter({ hasText: 'Marta Histórico' });
      await item.waitFor();
      await item.click();
      await inboxMessages(page, 'incoming', 'Bom dia, voltei').waitFor();
      const finished = page.getByTestId('inbox-messages').locator('[data-private="true"]').filter({ hasText: 'Histórico do WhatsApp importado: as 7 mensagens' });
      await eventually(async () => ((await finished.count()) === 1 ? true : undefined), 30_000, 'the import\'s last note');
      await countOf(inboxMessages(page, 'incoming', 'Importada'), 4, 'the driver\'s past messages, imported');
      await countOf(inboxMessages(page, 'outgoing', 'enviada pelo telemóvel da empresa'), 3, 'the company phone\'s, imported');
      assert.match(await inboxMessages(page, 'incoming', 'Importada').first().innerText(), /Ainda estão a recrutar\?/);
      await chatAtRest(sut, ((await page.getByTestId('driver-phone').textContent()) ?? '').replace(/\D/g, ''));
      assert.equal(sut.wpp.sent.filter((message) => message.body.includes('Tem carta de condução')).length, 0, 'nothing imported goes back to WhatsApp');
    });
  });
});
