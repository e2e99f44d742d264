import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { signChatwootWebhook } from '../../integrations/chatwoot/signature.ts';
import { dataUrl, randomMobile, randomNif, sampleDocuments, type SampleDocuments } from '../support/registration-payloads.ts';
import { useTestSystem, type TestSystem } from '../support/test-system.ts';
import {
  anyValue, bodyLike, chatwootConversationEvent, chatwootReply, fuzzParameters, trickyString, wppAck, wppMessage,
} from './arbitraries.ts';

interface Answer { status: number; text: string }

/** POSTs `raw` as JSON (whatever it holds) and returns the status and the body as text. */
async function post(sut: TestSystem, url: string, raw: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${sut.system.apiUrl}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });
  return { status: response.status, text: await response.text() };
}

function assertNoServerError(answer: Answer, raw: string): void {
  assert.ok(answer.status >= 200 && answer.status < 500, `${answer.status} ${answer.text.slice(0, 200)} for ${raw.slice(0, 300)}`);
}

/** Any JSON body (as text), now and then something that is not JSON at all. */
const rawBody = (arbitrary: fc.Arbitrary<unknown>): fc.Arbitrary<string> =>
  fc.oneof({ weight: 9, arbitrary: arbitrary.map((value) => JSON.stringify(value) ?? 'null') }, { weight: 1, arbitrary: trickyString });

describe('fuzz over HTTP: the intake and both webhooks answer 2xx or 4xx, never 5xx, and store nothing half', () => {
  const system = useTestSystem({ DOCUMENT_URL_ALLOWED_HOSTS: 'files.typebot.example.pt' }, { bridge: true });
  let documents: SampleDocuments;

  before(async () => {
    documents = await sampleDocuments();
  });

  const registrationsWithNif = async (sut: TestSystem, nif: unknown): Promise<number> => {
    if (typeof nif !== 'string') return 0;
    const rows = await sut.system.db.query<{ n: number }>('SELECT count(*)::int AS n FROM registrations WHERE nif_index = $1', [sut.system.personal.index('nif', nif.replace(/\s/g, ''))]);
    return rows.rows[0]!.n;
  };

  it('the registration intake', async () => {
    const sut = system();
    const flat = () => ({
      nome_completo: 'Rui Manuel Almeida',
      nif: randomNif(),
      telefone: randomMobile(),
      email: 'rui.almeida@example.pt',
      morada: 'Rua das Flores, 12',
      codigo_postal: '4050-262',
      cidade: 'Porto',
      cnh_frente: dataUrl('image/jpeg', documents.licenceFront),
      cnh_verso: dataUrl('image/png', documents.licenceBack),
      comprovante_morada: dataUrl('application/pdf', documents.proofOfAddress),
    });
    // A fresh NIF per case (the template is rebuilt), so accepted cases do not collide into 409s; a
    // share of untouched submissions, so the accepted path is walked too.
    const body = fc.oneof({ weight: 1, arbitrary: fc.constant(null).map(() => flat()) }, { weight: 4, arbitrary: fc.constant(null).chain(() => bodyLike(flat())) });
    // Registrations accepted earlier in the run go on storing files (processed images, thumbnails) in the background.
    const acceptedIds: string[] = [];
    const newFilesOfOthers = (before: string[], after: string[]) =>
      after.filter((file) => !before.includes(file) && !acceptedIds.some((id) => file.includes(id)));
    await fc.assert(fc.asyncProperty(rawBody(body), async (raw) => {
      const parsed: unknown = (() => { try { return JSON.parse(raw) as unknown; } catch { return undefined; } })();
      const nif = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).nif : undefined;
      const [filesBefore, rowsBefore] = [await sut.storedFiles(), await registrationsWithNif(sut, nif)];
      const answer = await post(sut, '/drivers/register-typebot', raw);
      assertNoServerError(answer, raw);
      const filesAfter = await sut.storedFiles();
      if (answer.status >= 400) {
        assert.deepEqual(newFilesOfOthers(filesBefore, filesAfter), [], 'a refused submission stores no file');
        assert.equal(await registrationsWithNif(sut, nif), rowsBefore, 'a refused submission adds no row');
        return;
      }
      // Accepted: the whole registration, its row, its three documents and their files.
      const { registration_id: id } = JSON.parse(answer.text) as { registration_id: string };
      acceptedIds.push(id);
      const docs = await sut.system.db.query<{ n: number }>('SELECT count(*)::int AS n FROM registration_documents WHERE registration_id = $1', [id]);
      assert.equal(docs.rows[0]!.n, 3, `registration ${id} has its three documents`);
      assert.equal(filesAfter.filter((file) => file.includes(id)).length >= 3, true, `registration ${id} has its files`);
    }), fuzzParameters(30, 1 / 40));
    console.log(`intake fuzz: ${acceptedIds.length} accepted`);
  });

  it('the WPPConnect webhook', async () => {
    const sut = system();
    const url = `/webhooks/wppconnect/${sut.config.WPPCONNECT_WEBHOOK_TOKEN}`;
    const media = wppMessage({ type: 'image', mimetype: 'image/png', body: documents.licenceBack.toString('base64'), size: documents.licenceBack.length, caption: 'carta' });
    const body = fc.oneof(bodyLike(wppMessage()), bodyLike(media), bodyLike(wppAck()), bodyLike({ event: 'status-find', session: 'test', status: 'inChat' }), anyValue);
    await fc.assert(fc.asyncProperty(rawBody(body), fc.boolean(), async (raw, rightToken) => {
      // Media is stored under the hash of its message id (chatMediaKey); other messages, accepted
      // earlier, may still be storing theirs, and an accepted one may have stored this id's already.
      const id = (() => { try { return (JSON.parse(raw) as { id?: unknown }).id; } catch { return undefined; } })();
      const key = typeof id === 'string' ? createHash('sha256').update(id).digest('hex').slice(0, 32) : undefined;
      const mediaOfThisId = async () => (key === undefined ? [] : (await sut.storedFiles()).filter((file) => file.includes(key)));
      const before = await mediaOfThisId();
      const answer = await post(sut, rightToken ? url : '/webhooks/wppconnect/not-the-token', raw);
      assertNoServerError(answer, raw);
      // Refused (401, or 400 when the body is refused before the token is looked at), whatever the body.
      if (!rightToken) assert.ok(answer.status >= 400, `accepted with a wrong token: ${answer.status}`);
      if (answer.status >= 400) assert.deepEqual(await mediaOfThisId(), before, 'a refused webhook stores no media');
    }), fuzzParameters(60, 1 / 20));
  });

  it('the Chatwoot webhook', async () => {
    const sut = system();
    const inbox = sut.config.CHATWOOT_INBOX_ID!;
    const secret = sut.config.CHATWOOT_WEBHOOK_SECRET!;
    // Replies into other inboxes and private notes: most of what a fuzzed reply may become is not sent anywhere.
    const body = fc.oneof(bodyLike(chatwootReply(inbox, { inbox: { id: inbox + 1 } })), bodyLike(chatwootReply(inbox, { private: true })),
      bodyLike(chatwootConversationEvent(inbox + 1)), anyValue);
    await fc.assert(fc.asyncProperty(rawBody(body), fc.boolean(), async (raw, signed) => {
      const headers = signed ? signChatwootWebhook(secret, raw, Math.floor(Date.now() / 1000)) : {};
      const answer = await post(sut, '/webhooks/chatwoot', raw, headers);
      assertNoServerError(answer, raw);
      if (!signed) assert.ok(answer.status >= 400, `accepted without a signature: ${answer.status}`);
    }), fuzzParameters(60, 1 / 20));
  });
});
