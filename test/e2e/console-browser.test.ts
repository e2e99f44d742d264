/**
 * The reviewer console and the sandbox page in a real browser (headless Chromium), as issue 14 asks:
 * the whole journey a newcomer makes with a mouse (register through the bot on the sandbox's phone,
 * find the registration in the console, view the documents, ask for the licence's back again, see
 * revision 2 beside 1, approve, read it on the phone), sign-in and its refusals, two reviewers at
 * once, the operators' pages, and documents that cannot run as the console. Screenshots of the
 * queue and a registration go to docs/screenshots/ for the README.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startSandboxConsole, type SandboxConsole } from '../../scripts/sandbox-console.ts';
import { createAccount } from '../../platform/console-accounts.ts';
import { getRegistration } from '../../platform/stores/registrations.ts';
import { makeJpeg } from '../fixtures/documents.ts';
import { driverAnswers } from '../support/bot-dialogue.ts';
import { screenshot, withBrowser } from '../support/browser.ts';
import { flatPayload, sampleDocuments } from '../support/registration-payloads.ts';
import { eventually, testEnvironment, useTestSystem, type TestSystem } from '../support/test-system.ts';

const temporalUi = 'http://127.0.0.1:8233';
const password = `palavra-passe-${randomUUID()}`;
const accounts = { ana: `ana-${randomUUID().slice(0, 6)}`, rui: `rui-${randomUUID().slice(0, 6)}`, olga: `olga-${randomUUID().slice(0, 6)}` };

async function signIn(context: BrowserContext, sut: TestSystem, name: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${sut.system.apiUrl!}/console`);
  await page.getByLabel('Utilizador').fill(name);
  await page.getByLabel('Palavra-passe').fill(password);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.getByTestId('signed-in-as').getByText(name).waitFor();
  return page;
}

/** A registration through the intake (as the web form sends it), awaiting a reviewer. */
async function pendingRegistration(sut: TestSystem, overrides: Record<string, unknown> = {}): Promise<string> {
  const created = await sut.call('POST', '/drivers/register-typebot/', flatPayload(await sampleDocuments(), overrides), { 'x-intake-token': sut.config.INTAKE_SHARED_SECRET! });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.registration_id as string;
  await eventually(async () => ((await getRegistration(sut.system.db, sut.system.personal, id))?.status === 'pending_approval' ? true : undefined), 20_000, 'the registration to await a reviewer');
  return id;
}

describe('the reviewer console in a browser', { timeout: 10 * 60_000 }, () => {
  let sandbox: SandboxConsole;
  const system = useTestSystem(
    { BRIDGE_POLLING: 'false', INTAKE_SHARED_SECRET: `test-intake-${randomUUID()}`, TEMPORAL_UI_URL: temporalUi },
    { bridge: true, typebot: true },
    {
      started: async (sut) => {
        sandbox = await startSandboxConsole({ wpp: sut.wpp, chatwoot: sut.chatwoot!, links: { console: `${sut.system.apiUrl!}/console`, temporalUi } });
        await createAccount(sut.system.db, accounts.ana, 'reviewer', password);
        await createAccount(sut.system.db, accounts.rui, 'reviewer', password);
        await createAccount(sut.system.db, accounts.olga, 'operator', password);
      },
      stopping: () => sandbox.close(),
    },
  );

  it('a newcomer registers through the bot on the sandbox page, a reviewer asks for the licence back again, then approves; the driver reads both', async (t) => {
    await withBrowser(t, async (browser: Browser) => {
      const sut = system();
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'pt-PT', timezoneId: 'Europe/Lisbon' });
      const phonePage = await context.newPage();
      await phonePage.goto(sandbox.url);
      await phonePage.getByTestId('live-status').getByText('Ao vivo').waitFor();
      await phonePage.getByTestId('new-driver').click();
      await eventually(async () => (/^\+3519/.test(((await phonePage.getByTestId('driver-phone').textContent()) ?? '').replaceAll(' ', '')) ? true : undefined), 10_000, 'a new driver');

      const received = () => phonePage.getByTestId('phone-messages').locator('[data-testid="phone-message"][data-direction="received"]');
      /** The driver's turn: what they type (or upload), and the bot's answer they wait for. */
      const says = async (text: string, answer: RegExp) => {
        const before = await received().count();
        await phonePage.getByLabel('Mensagem do motorista').fill(text);
        await phonePage.getByLabel('Mensagem do motorista').press('Enter');
        await heard(before, answer, text);
      };
      const heard = async (before: number, answer: RegExp, after: string) => {
        await eventually(async () => {
          const texts = await received().allInnerTexts();
          return texts.slice(before).some((shown) => answer.test(shown)) ? true : undefined;
        }, 30_000, `the phone to show ${answer} after "${after}"`);
      };
      const uploads = async (file: string, answer: RegExp) => {
        const before = await received().count();
        await phonePage.getByLabel('Fotografia ou PDF deste computador').setInputFiles(file);
        await phonePage.getByTestId('phone-upload').click();
        await heard(before, answer, path.basename(file));
      };
      const answers = await driverAnswers();
      const scratch = testEnvironment().scratchDir;
      const file = async (name: string, bytes: Buffer) => {
        const where = path.join(scratch, `${randomUUID()}-${name}`);
        await writeFile(where, bytes);
        return where;
      };

      await says('quero ser motorista', /1\. Começar/);
      await says('1', /nome completo/);
      await says(answers.name, /NIF/);
      await says(answers.nif, /telemóvel/);
      await says(answers.phone, /email/i);
      await says(answers.email, /morada/);
      await says(answers.address, /código postal/);
      await says(answers.postalCode, /cidade/);
      await says(answers.city, /frente da sua carta de condução/);
      await uploads(await file('frente.jpg', answers.licenceFront), /verso/);
      await uploads(await file('verso.jpg', answers.licenceBack), /comprovativo de morada/);
      await uploads(await file('fatura.pdf', answers.proofOfAddress), /1\. Confirmar/);
      await says('1', /Recebemos o seu registo/);

      // The console: the queue shows it, awaiting a decision, with its waiting time.
      const consolePage = await signIn(context, sut, accounts.ana);
      await consolePage.getByTestId('tab-pending_approval').click();
      const row = consolePage.getByTestId('queue-row').filter({ hasText: answers.name });
      await eventually(async () => {
        if ((await row.count()) > 0) return true;
        await consolePage.reload();
        return undefined;
      }, 30_000, 'the registration in the queue');
      await row.first().getByTestId('waiting').waitFor();
      await screenshot(consolePage, 'console-queue');
      await row.first().getByRole('link').click();
      await consolePage.getByTestId('registration-name').getByText(answers.name).waitFor();

      // Each document opens in the viewer; an image zooms and rotates; each one viewed is audited.
      const viewsAudited = async () => (await sut.system.db.query<{ count: number }>("SELECT count(*)::int AS count FROM audit_log WHERE actor = $1 AND action = 'view_document'", [accounts.ana])).rows[0]!.count;
      let opened = 0;
      for (const viewer of await consolePage.getByTestId('viewer').all()) {
        await viewer.locator('summary').click();
        const image = viewer.locator('img.full');
        if ((await image.count()) > 0) {
          // Lazy: it loads once near the screen, where a reviewer looks at it.
          await image.scrollIntoViewIfNeeded();
          await eventually(async () => ((await image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)) > 0 ? true : undefined), 30_000, 'the document image')
            .catch(async (error: Error) => {
              // What a failed run needs: did the browser finish with it, and what does the API answer for it.
              const src = (await image.getAttribute('src')) ?? '';
              const state = await image.evaluate((img) => ({ complete: (img as unknown as { complete: boolean }).complete }));
              const answer = await context.request.get(new URL(src, consolePage.url()).href);
              throw new Error(`${error.message}: complete ${state.complete}, the API answers ${answer.status()} ${answer.headers()['content-type'] ?? ''} (${(await answer.body()).length} bytes)`);
            });
          await viewer.getByRole('button', { name: 'Rodar' }).click();
          assert.match((await image.getAttribute('style')) ?? '', /rotate\(90deg\)/);
        } else {
          assert.equal(await viewer.locator('iframe.pdf').getAttribute('sandbox'), '', 'the PDF in a sandboxed frame');
        }
        // Closed only once its view is on record: the frame fetches its PDF on its own time.
        opened += 1;
        await eventually(async () => ((await viewsAudited()) >= opened ? true : undefined), 15_000, `document ${opened}'s view audited`);
        await viewer.locator('summary').click();
      }

      // A correction of the licence's back: previewed as the driver will read it, then sent.
      const decisions = consolePage.getByTestId('decisions');
      await decisions.getByText('Pedir correção').click();
      await consolePage.getByTestId('item-licence_back').check();
      await consolePage.getByLabel('Mensagem para o motorista (opcional)').fill('A fotografia do verso está desfocada.');
      await consolePage.getByTestId('request-correction').click();
      assert.match(await consolePage.getByTestId('preview-message').innerText(), /precisamos que corrija: fotografia da carta de condução \(verso\)[\s\S]*desfocada/);
      const beforeCorrection = await received().count();
      await consolePage.getByTestId('confirm').click();
      await consolePage.getByTestId('decision-done').waitFor();
      await heard(beforeCorrection, /desfocada/, 'the correction request');
      await heard(beforeCorrection, /verso da carta de condução/, 'the bot asking for the back again');
      await uploads(await file('verso-novo.jpg', await makeJpeg({ width: 820, height: 510 })), /1\. Confirmar/);
      await says('1', /Recebemos o seu registo/);

      // Revision 2 of the back beside revision 1.
      const back = consolePage.locator('[data-testid="document-kind"][data-kind="licence_back"]');
      await eventually(async () => {
        await consolePage.reload();
        return (await back.locator('[data-testid="document"][data-revision="2"]').count()) === 1 && (await consolePage.getByTestId('registration-status').innerText()) === 'A aguardar decisão' ? true : undefined;
      }, 30_000, 'revision 2 of the licence back, awaiting a decision');
      assert.equal(await back.locator('[data-testid="document"][data-revision="1"]').count(), 1, 'revision 1 still shown beside it');
      const [first, second] = await back.locator('[data-testid="document"]').all();
      const [box1, box2] = [await first!.boundingBox(), await second!.boundingBox()];
      assert.ok(box1 !== null && box2 !== null && Math.abs(box1.y - box2.y) < 5 && box2.x > box1.x, 'side by side');
      await screenshot(consolePage, 'console-registration');

      // Approve; the phone shows the approval and Chatwoot the label.
      const beforeApproval = await received().count();
      await consolePage.getByTestId('approve').click();
      assert.match(await consolePage.getByTestId('preview-message').innerText(), /foi aprovado/);
      await consolePage.getByTestId('confirm').click();
      await consolePage.getByTestId('decision-done').waitFor();
      await heard(beforeApproval, /foi aprovado/, 'the approval');
      const conversationId = (await getRegistration(sut.system.db, sut.system.personal, consolePage.url().split('/registrations/')[1]!.split('?')[0]!))!.chat!.chatwootConversationId!;
      await eventually(async () => (sut.chatwoot!.labels(conversationId).includes('cadastro-aprovado') ? true : undefined), 20_000, 'the approved label in Chatwoot');
      await context.close();
    });
  });

  it('sign-in: a wrong password is refused, a form without its CSRF token is refused, an idle session ends', async (t) => {
    await withBrowser(t, async (browser) => {
      const sut = system();
      const context = await browser.newContext({ locale: 'pt-PT' });
      const page = await context.newPage();
      await page.goto(`${sut.system.apiUrl!}/console`);
      await page.getByLabel('Utilizador').fill(accounts.rui);
      await page.getByLabel('Palavra-passe').fill('não é esta a palavra-passe');
      await page.getByRole('button', { name: 'Entrar' }).click();
      assert.equal(await page.getByTestId('sign-in-error').innerText(), 'Utilizador ou palavra-passe incorretos.');
      const refused = await sut.system.db.query("SELECT 1 FROM audit_log WHERE action = 'sign_in' AND outcome = 'refused' AND details->>'name' = $1", [accounts.rui]);
      assert.equal(refused.rowCount, 1);

      const id = await pendingRegistration(sut);
      const signedIn = await signIn(context, sut, accounts.rui);
      await signedIn.goto(`${sut.system.apiUrl!}/console/registrations/${id}`);
      // A forged form: the same post without the token.
      await signedIn.locator('form[action$="/preview"]').first().locator('input[name="_csrf"]').evaluate((input) => (input as unknown as { remove(): void }).remove());
      await signedIn.getByTestId('approve').click();
      assert.match(await signedIn.getByTestId('error').innerText(), /O formulário expirou ou não veio desta consola/);
      assert.equal((await getRegistration(sut.system.db, sut.system.personal, id))!.status, 'pending_approval');

      // Idle past CONSOLE_IDLE_TIMEOUT: the stored session's expiry passed (moved back here rather than
      // waited for, so a short timeout never ends a session mid-test on a slow machine); the next page asks to sign in again.
      await sut.system.db.query("UPDATE console_sessions SET expires_at = now() - interval '1 second' WHERE data->>'account' = $1", [accounts.rui]);
      await signedIn.goto(`${sut.system.apiUrl!}/console`);
      await signedIn.getByText('A sua sessão terminou. Entre novamente.').waitFor();
      await context.close();
    });
  });

  it('two reviewers decide at once: one wins, the other is told who decided', async (t) => {
    await withBrowser(t, async (browser) => {
      const sut = system();
      const id = await pendingRegistration(sut);
      const [anaContext, ruiContext] = [await browser.newContext({ locale: 'pt-PT' }), await browser.newContext({ locale: 'pt-PT' })];
      const [ana, rui] = [await signIn(anaContext, sut, accounts.ana), await signIn(ruiContext, sut, accounts.rui)];
      for (const page of [ana, rui]) {
        await page.goto(`${sut.system.apiUrl!}/console/registrations/${id}`);
        await page.getByTestId('approve').click();
        await page.getByTestId('confirm').waitFor();
      }
      await Promise.all([ana.getByTestId('confirm').click(), rui.getByTestId('confirm').click()]);
      const outcome = async (page: Page) => {
        const done: Locator = page.getByTestId('decision-done');
        const refused: Locator = page.getByTestId('decision-refused');
        await done.or(refused).waitFor();
        return (await done.count()) > 0 ? 'won' : await refused.innerText();
      };
      const results = [await outcome(ana), await outcome(rui)];
      assert.equal(results.filter((result) => result === 'won').length, 1, JSON.stringify(results));
      const decidedBy = (await getRegistration(sut.system.db, sut.system.personal, id))!.decidedBy!;
      assert.match(results.find((result) => result !== 'won')!, new RegExp(`Este registo já foi decidido por ${decidedBy} em`));
      await anaContext.close();
      await ruiContext.close();
    });
  });

  it('a reviewer cannot reach operator pages; an operator exports and erases a driver', async (t) => {
    await withBrowser(t, async (browser) => {
      const sut = system();
      const id = await pendingRegistration(sut);
      const context = await browser.newContext({ locale: 'pt-PT', acceptDownloads: true });
      const reviewer = await signIn(context, sut, accounts.ana);
      for (const where of ['/console/audit', '/console/accounts', `/console/registrations/${id}/erase`]) {
        const response = await reviewer.goto(`${sut.system.apiUrl!}${where}`);
        assert.equal(response?.status(), 403, where);
      }
      await reviewer.goto(`${sut.system.apiUrl!}/console/registrations/${id}`);
      assert.equal(await reviewer.getByTestId('export').count(), 0, 'no operator buttons for a reviewer');
      await context.close();

      const operatorContext = await browser.newContext({ locale: 'pt-PT', acceptDownloads: true });
      const operator = await signIn(operatorContext, sut, accounts.olga);
      await operator.goto(`${sut.system.apiUrl!}/console/registrations/${id}`);
      const [download] = await Promise.all([operator.waitForEvent('download'), operator.getByTestId('export').click()]);
      assert.match(download.suggestedFilename(), /^dados-motorista-.*\.zip$/);
      await operator.goto(`${sut.system.apiUrl!}/console/audit?action=export_driver`);
      await operator.getByTestId('audit-row').filter({ hasText: accounts.olga }).first().waitFor();
      await operator.goto(`${sut.system.apiUrl!}/console/registrations/${id}`);
      await operator.getByTestId('erase').click();
      await operator.getByLabel('Para confirmar, escreva APAGAR').fill('APAGAR');
      await operator.getByTestId('erase-confirm').click();
      await operator.getByTestId('erased').waitFor();
      assert.equal((await getRegistration(sut.system.db, sut.system.personal, id))!.status, 'erased');
      await operatorContext.close();
    });
  });

  it('a PDF with JavaScript and an HTML file stored as a photo run nothing in the console\'s origin', async (t) => {
    await withBrowser(t, async (browser) => {
      const sut = system();
      const id = await pendingRegistration(sut);
      // Files that slipped past the intake's checks (they would not: this plays the worst case), written where the documents are.
      const docs = await sut.system.db.query<{ id: string; kind: string; storage_key: string; thumbnail_key: string | null }>(
        'SELECT id, kind, storage_key, thumbnail_key FROM registration_documents WHERE registration_id = $1', [id]);
      const marker = `/console/pwned-${randomUUID()}`;
      const html = Buffer.from(`<html><body><script>document.title='pwned';fetch('${marker}');top.postMessage('pwned','*')</script><img src=x onerror="fetch('${marker}')"></body></html>`);
      const pdf = Buffer.from(`%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction 3 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n3 0 obj<</S/JavaScript/JS(app.launchURL('${marker}'))>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n`);
      for (const doc of docs.rows) {
        const disguised = doc.kind === 'proof_of_address' ? { bytes: pdf, type: 'application/pdf' } : { bytes: html, type: 'image/jpeg' };
        await sut.system.storage.put(doc.storage_key, disguised.bytes, disguised.type);
        if (doc.thumbnail_key !== null) await sut.system.storage.put(doc.thumbnail_key, html, 'image/jpeg');
      }
      const context = await browser.newContext({ locale: 'pt-PT' });
      const page = await signIn(context, sut, accounts.ana);
      const requested: string[] = [];
      context.on('request', (request) => requested.push(request.url()));
      const messages: unknown[] = [];
      await page.exposeFunction('recordMessage', (data: unknown) => messages.push(data));
      await page.addInitScript(() => {
        (globalThis as unknown as { addEventListener(type: string, listener: (event: { data: unknown }) => void): void }).addEventListener('message', (event) => {
          (globalThis as unknown as { recordMessage(data: unknown): void }).recordMessage(event.data);
        });
      });
      await page.goto(`${sut.system.apiUrl!}/console/registrations/${id}`);
      for (const viewer of await page.getByTestId('viewer').all()) await viewer.locator('summary').click();
      // Straight to the files too, as a reviewer following a link would.
      for (const doc of docs.rows) {
        const direct = await context.newPage();
        await direct.goto(`${sut.system.apiUrl!}/console/registrations/${id}/documents/${doc.id}`).catch(() => undefined);
        await direct.waitForTimeout(500);
        assert.notEqual(await direct.title().catch(() => ''), 'pwned', 'the HTML did not run as a page');
        await direct.close();
      }
      await page.waitForTimeout(1_000);
      assert.deepEqual(requested.filter((url) => url.includes(marker)), [], 'nothing the files hold reached the network');
      assert.deepEqual(messages, [], 'no message from a file reached the console');
      assert.notEqual(await page.title(), 'pwned');
      await context.close();
    });
  });
});
