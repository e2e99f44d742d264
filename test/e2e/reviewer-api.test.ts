import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import sharp from 'sharp';
import { WorkflowNotFoundError } from '@temporalio/client';
import { SealBroken } from '../../platform/crypto/envelope.ts';
import { correctionCodeIn, flatPayload, randomNif, sampleDocuments, type SampleDocuments } from '../support/registration-payloads.ts';
import { eventually, startTestSystem, type TestSystem } from '../support/test-system.ts';

interface Summary { id: string; status: string; created_at: string }
interface Page { total: number; limit: number; offset: number; items: Summary[] }
interface DocumentView { id: string; kind: string; revision: number; mime: string; links: { original: string; thumbnail: string | null } }

async function register(sut: TestSystem, payload: Record<string, unknown>): Promise<string> {
  const created = await sut.call('POST', '/drivers/register-typebot/', payload);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.registration_id as string;
}

async function pending(sut: TestSystem, id: string): Promise<Record<string, unknown>> {
  return eventually(async () => {
    const { body } = await sut.asReviewer('GET', `/drivers/${id}`);
    return body.status === 'pending_approval' ? body : undefined;
  }, 20_000, `registration ${id} to await a reviewer`);
}

/** A fetch to the API as a reviewer, for what is not JSON. */
const reviewerFetch = (sut: TestSystem, path: string, headers: Record<string, string> = {}) =>
  fetch(`${sut.system.apiUrl}${path}`, { headers: { authorization: `Bearer ${sut.reviewerToken}`, ...headers } });

const operatorToken = `test-operator-${randomInt(1_000_000_000)}-${randomInt(1_000_000_000)}`;

describe('reviewer API', () => {
  let sut: TestSystem;
  let documents: SampleDocuments;
  before(async () => {
    sut = await startTestSystem({ OPERATOR_TOKENS: `olga:${operatorToken}` });
    documents = await sampleDocuments();
  });
  after(async () => sut.stop());

  const page = async (query: string): Promise<Page> => {
    const response = await sut.asReviewer('GET', `/drivers?${query}`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body as unknown as Page;
  };

  /** Every page of a status, `limit` at a time, once two walks in a row agree (other files may register meanwhile). */
  async function walk(status: string, limit: number): Promise<{ pages: Page[]; items: Summary[] }> {
    const once = async () => {
      const pages: Page[] = [];
      for (let offset = 0; pages.length === 0 || offset < pages[0]!.total; offset += limit) pages.push(await page(`status=${status}&limit=${limit}&offset=${offset}`));
      return { pages, items: pages.flatMap((each) => each.items) };
    };
    let previous = await once();
    return eventually(async () => {
      const next = await once();
      const same = JSON.stringify(next) === JSON.stringify(previous);
      previous = next;
      return same ? next : undefined;
    }, 20_000, 'a stable listing');
  }

  it('pages through the queue newest first, with the total, filtered by status', async () => {
    const mine: string[] = [];
    for (let index = 0; index < 5; index++) mine.push(await register(sut, flatPayload(documents)));
    for (const id of mine) await pending(sut, id);
    const rejected = mine[1]!;
    assert.equal((await sut.asReviewer('POST', `/drivers/${rejected}/reject`, { reason: 'Documentos ilegíveis.' })).status, 200);
    const waiting = mine.filter((id) => id !== rejected);

    const { pages, items } = await walk('pending_approval', 2);
    const total = pages[0]!.total;
    assert.equal(items.length, total, 'the pages hold the total, once each');
    assert.equal(new Set(items.map((item) => item.id)).size, total);
    for (const [index, each] of pages.entries()) {
      assert.deepEqual([each.total, each.limit, each.offset], [total, 2, index * 2]);
      assert.equal(each.items.length, Math.min(2, total - index * 2));
    }
    assert.ok(items.every((item) => item.status === 'pending_approval'));
    const times = items.map((item) => Date.parse(item.created_at));
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
    assert.deepEqual(items.map((item) => item.id).filter((id) => mine.includes(id)), [...waiting].reverse(), 'mine, newest first, the rejected one left out');
    // The total is the database's count; other test files register beside this one, so compared at a quiet moment.
    const pendingInDb = async () => (await sut.system.db.query<{ n: number }>("SELECT count(*)::int AS n FROM registrations WHERE status = 'pending_approval'")).rows[0]!.n;
    await eventually(async () => {
      const [before, listed, after] = [await pendingInDb(), (await page('status=pending_approval&limit=1')).total, await pendingInDb()];
      return before === after && listed === before ? true : undefined;
    }, 60_000, 'the listed total to match the database while nothing else registers');

    // Another page size, at another offset: exactly that slice of the listing.
    const offset = items.findIndex((item) => item.id === waiting[2]);
    const slice = await eventually(async () => {
      const [middle, again] = [await page(`status=pending_approval&limit=3&offset=${offset}`), await walk('pending_approval', 2)];
      return JSON.stringify(again.items) === JSON.stringify(items) ? middle : undefined;
    // The database is shared with the other test files running beside this one: wait for a quiet moment.
    }, 60_000, 'a page while nothing else registers');
    assert.deepEqual(slice.items.map((item) => item.id), items.slice(offset, offset + 3).map((item) => item.id));
    assert.deepEqual([slice.limit, slice.offset, slice.total], [3, offset, total]);

    const { items: rejectedItems } = await walk('rejected', 50);
    assert.ok(rejectedItems.some((item) => item.id === rejected));
    assert.ok(rejectedItems.every((item) => item.status === 'rejected'));
  });

  it('gives the total on a page past the end too', {
  }, async () => {
    await pending(sut, await register(sut, flatPayload(documents)));
    const { pages } = await walk('pending_approval', 50);
    const total = pages[0]!.total;
    const beyond = await page(`status=pending_approval&limit=3&offset=${total}`);
    assert.deepEqual([beyond.items, beyond.total], [[], total]);
  });

  it('serves a JPEG thumbnail of an image document, not cached, and none for a PDF', async () => {
    const id = await register(sut, flatPayload(documents));
    const registration = await pending(sut, id);
    const docs = registration.documents as DocumentView[];
    const front = docs.find((doc) => doc.kind === 'licence_front')!;
    const back = docs.find((doc) => doc.kind === 'licence_back')!;
    const pdf = docs.find((doc) => doc.kind === 'proof_of_address')!;

    for (const [doc, orientation] of [[front, 'portrait'], [back, 'landscape']] as const) {
      assert.equal(doc.links.thumbnail, `/drivers/${id}/documents/${doc.id}/thumbnail`);
      const response = await reviewerFetch(sut, doc.links.thumbnail);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'image/jpeg');
      assert.match(response.headers.get('cache-control') ?? '', /no-store/);
      const bytes = Buffer.from(await response.arrayBuffer());
      const meta = await sharp(bytes).metadata();
      assert.equal(meta.format, 'jpeg');
      // The stored photos are 640 × 400 (the front turned upright by its EXIF orientation): the thumbnail is smaller.
      assert.equal(Math.max(meta.width, meta.height), 320, `${doc.kind}: ${meta.width}×${meta.height}`);
      assert.equal(meta.height > meta.width ? 'portrait' : 'landscape', orientation);
    }
    assert.equal(pdf.links.thumbnail, null);
    const none = await reviewerFetch(sut, `/drivers/${id}/documents/${pdf.id}/thumbnail`);
    assert.equal(none.status, 404);
    assert.equal((await fetch(`${sut.system.apiUrl}/drivers/${id}/documents/${front.id}/thumbnail`)).status, 401, 'reviewers only');
  });

  it('serves the documents it keeps encrypted on disk, and refuses loudly, with an audit row, one changed on disk', async () => {
    const [id, otherId] = [await register(sut, flatPayload(documents)), await register(sut, flatPayload(documents))];
    const registration = await pending(sut, id);
    await pending(sut, otherId);
    const docs = registration.documents as DocumentView[];
    const front = docs.find((doc) => doc.kind === 'licence_front')!;
    const pdf = docs.find((doc) => doc.kind === 'proof_of_address')!;
    const keys = await sut.system.db.query<{ id: string; storage_key: string }>('SELECT id, storage_key FROM registration_documents WHERE registration_id = $1', [id]);
    const fileOf = (documentId: string) => path.join(sut.storageDir, keys.rows.find((row) => row.id === documentId)!.storage_key);
    const served = Buffer.from(await (await reviewerFetch(sut, pdf.links.original)).arrayBuffer());
    assert.deepEqual(served.subarray(0, 4).toString(), '%PDF');
    assert.equal((await readFile(fileOf(pdf.id))).includes('%PDF'), false, 'the PDF on disk is encrypted');
    assert.equal((await readFile(fileOf(front.id))).includes(Buffer.from([0xff, 0xd8, 0xff])), false, 'the photo on disk is encrypted');

    // Someone with the disk swaps in another registration's file (its own record of the bytes with it): it does not open here.
    const [other] = (await sut.system.db.query<{ storage_key: string }>(
      "SELECT storage_key FROM registration_documents WHERE registration_id = $1 AND kind = 'licence_front'", [otherId])).rows;
    for (const suffix of ['', '~meta.json']) await copyFile(path.join(sut.storageDir, other!.storage_key) + suffix, fileOf(front.id) + suffix);
    const refused = await reviewerFetch(sut, front.links.original);
    assert.equal(refused.status, 500);
    const audited = await sut.system.db.query<{ actor: string; outcome: string; details: { reason: string } }>(
      "SELECT actor, outcome, details FROM audit_log WHERE registration_id = $1 AND action = 'read_stored_file'", [id]);
    assert.deepEqual(audited.rows, [{ actor: 'system', outcome: 'failed', details: { reason: 'tampered', folder: 'registrations' } }]);
  });

  it('audits the listing, and every refused credential with where it came from', async () => {
    const marker = `audit-test-${randomInt(1_000_000)}`;
    const offset = 900_000 + randomInt(90_000);
    assert.equal((await reviewerFetch(sut, `/drivers?status=rejected&limit=3&offset=${offset}`)).status, 200);
    for (const authorization of [`Bearer not-a-token-${marker}`, '']) {
      const refused = await fetch(`${sut.system.apiUrl}/drivers?limit=1`, { headers: { authorization, 'user-agent': marker } });
      assert.equal(refused.status, 401);
    }
    const rows = await sut.system.db.query<{ actor: string; action: string; outcome: string; details: Record<string, unknown> }>(
      "SELECT actor, action, outcome, details FROM audit_log WHERE details->>'userAgent' = $1 OR (action = 'list_registrations' AND details->>'offset' = $2) ORDER BY id", [marker, String(offset)]);
    assert.deepEqual(rows.rows.map((row) => [row.actor, row.action, row.outcome, row.details.route ?? row.details.status, row.details.why ?? null]), [
      ['ana', 'list_registrations', 'accepted', 'rejected', null],
      ['anonymous', 'authenticate', 'refused', 'GET /drivers', 'Unknown reviewer token'],
      ['anonymous', 'authenticate', 'refused', 'GET /drivers', 'A reviewer bearer token is required'],
    ]);
    assert.equal(JSON.stringify(rows.rows).includes('not-a-token'), false, 'the presented token is not kept');
  });

  it('exports everything held about one driver as a ZIP, for operators only, and nothing of anyone else', async () => {
    const nif = randomNif();
    const first = await register(sut, flatPayload(documents, { nif }));
    await pending(sut, first);
    assert.equal((await sut.asReviewer('POST', `/drivers/${first}/reject`, { reason: 'Carta caducada.' })).status, 200);
    const second = await register(sut, flatPayload(documents, { nif, email: 'rui.novo@example.pt' }));
    const other = flatPayload(documents, { nome_completo: 'Beatriz Sousa Lima', email: 'beatriz@example.pt' });
    const otherId = await register(sut, other);
    await Promise.all([pending(sut, second), pending(sut, otherId)]);

    const exportAs = (token: string, body: unknown) =>
      fetch(`${sut.system.apiUrl}/drivers/export`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await exportAs(sut.reviewerToken, { nif })).status, 403, 'a reviewer may not');
    assert.equal((await exportAs(operatorToken, { nif, phone: '912345678' })).status, 400, 'one lookup at a time');
    assert.equal((await exportAs(operatorToken, { nif: randomNif() })).status, 404);

    const response = await exportAs(operatorToken, { registration_id: second });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/zip');
    assert.match(response.headers.get('cache-control') ?? '', /no-store/);
    const zip = Buffer.from(await response.arrayBuffer());
    const files = unzipSync(new Uint8Array(zip));
    const data = JSON.parse(strFromU8(files['dados.json']!)) as { registrations: Array<{ id: string; nif: string; email: string; status: string; documents: Array<{ kind: string; file: string | null }>; audit: Array<{ action: string }> }> };
    assert.deepEqual(data.registrations.map((row) => [row.id, row.nif, row.status]), [[first, nif, 'rejected'], [second, nif, 'pending_approval']]);
    assert.equal(data.registrations[1]!.email, 'rui.novo@example.pt');
    assert.ok(data.registrations[0]!.audit.some((entry) => entry.action === 'reject'), 'the audit trail');
    const pdfs = data.registrations.map((row) => row.documents.find((doc) => doc.kind === 'proof_of_address')!.file!);
    for (const name of pdfs) assert.deepEqual(Buffer.from(files[name]!), documents.proofOfAddress, `${name}: the PDF as sent`);
    const photo = data.registrations[1]!.documents.find((doc) => doc.kind === 'licence_front')!.file!;
    assert.deepEqual([...files[photo]!.subarray(0, 3)], [0xff, 0xd8, 0xff], 'the photo, decrypted');
    const everything = Buffer.concat(Object.values(files).map((bytes) => Buffer.from(bytes)));
    for (const theirs of [String(other.nif), 'Beatriz', 'beatriz@example.pt', otherId]) assert.equal(everything.includes(theirs), false, `nothing of anyone else: ${theirs}`);
    const audited = await sut.system.db.query<{ actor: string; registration_id: string }>(
      "SELECT actor, registration_id FROM audit_log WHERE action = 'export_driver' AND registration_id = ANY($1) ORDER BY id", [[first, second]]);
    assert.deepEqual(audited.rows.map((row) => [row.actor, row.registration_id]), [['olga', first], ['olga', second]]);
  });

  it('erases a driver for operators only: told on WhatsApp, workflows ended, files gone, a tombstone left, and the NIF free again', async () => {
    const nif = randomNif();
    const payload = flatPayload(documents, { nif });
    const digits = `351${String(payload.telefone).replace(/\s/g, '')}`;
    const first = await register(sut, payload);
    await pending(sut, first);
    assert.equal((await sut.asReviewer('POST', `/drivers/${first}/reject`, { reason: 'Carta caducada.' })).status, 200);
    const second = await register(sut, { ...payload, email: 'rui.novo@example.pt' });
    await pending(sut, second);
    const bystander = await register(sut, flatPayload(documents));
    await pending(sut, bystander);
    const filesOf = async (id: string) => (await sut.storedFiles()).filter((file) => file.includes(`/registrations/${id}/`));
    assert.ok((await filesOf(second)).length > 0);

    // A backup taken before the erasure: one of the driver's files as it is at rest, and the keys of their registrations.
    const backedUp = (await filesOf(second)).find((file) => file.includes('/documents/') && !file.endsWith('.json'))!;
    const backup = await Promise.all([readFile(backedUp), readFile(`${backedUp}~meta.json`)]);
    const keyIds = (await sut.system.db.query<{ data_key_id: string }>('SELECT data_key_id FROM registrations WHERE id = ANY($1)', [[first, second]])).rows.map((row) => row.data_key_id);
    assert.equal(keyIds.filter((id) => id !== null).length, 2);

    const erase = (token: string, body: unknown) =>
      fetch(`${sut.system.apiUrl}/drivers/erase`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await erase(sut.reviewerToken, { nif })).status, 403, 'a reviewer may not');
    assert.equal((await (await sut.asReviewer('GET', `/drivers/${second}`)).body.status), 'pending_approval', 'and nothing changed');
    const response = await erase(operatorToken, { phone: String(payload.telefone) });
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(await response.json(), { erased: [first, second], driver_told: true, chatwoot_contacts_deleted: 0, temporal_histories_deleted: 2 }, 'no Chatwoot here');

    const told = await eventually(async () => sut.wpp.sent.find((sent) => sent.phone === digits && /apagámos os dados/.test(sent.body)), 10_000, 'the driver told');
    assert.match(told.body, /^Olá, Rui\./);
    // Ended, and its deletion from Temporal asked for (Temporal removes it in the background: the bridge's erasure test waits for it).
    const handle = sut.system.temporal.workflow.getHandle(`driver-registration-${second}`);
    const state = await handle.describe().then((described) => described.status.name, (error: unknown) => {
      if (error instanceof WorkflowNotFoundError) return 'DELETED';
      throw error;
    });
    assert.ok(['TERMINATED', 'DELETED'].includes(state), state);
    assert.deepEqual([await filesOf(first), await filesOf(second)], [[], []], 'no file left');
    assert.ok((await filesOf(bystander)).length > 0, "someone else's files stay");
    // Their keys are destroyed: the backup's copy, put back, no longer opens.
    assert.equal((await sut.system.db.query('SELECT 1 FROM data_keys WHERE id = ANY($1)', [keyIds])).rowCount, 0, 'the keys are gone');
    await mkdir(path.dirname(backedUp), { recursive: true });
    await Promise.all([writeFile(backedUp, backup[0]), writeFile(`${backedUp}~meta.json`, backup[1])]);
    const storageKey = backedUp.slice(backedUp.indexOf(`registrations/${second}/`));
    await assert.rejects(sut.system.storage.get(storageKey), (error) => error instanceof SealBroken && error.reason === 'key-destroyed');
    await sut.system.storage.deletePrefix(`registrations/${second}`);
    const rows = await sut.system.db.query<Record<string, unknown>>('SELECT * FROM registrations WHERE id = ANY($1) ORDER BY created_at', [[first, second]]);
    for (const row of rows.rows) {
      assert.equal(row.status, 'erased');
      for (const field of ['full_name', 'phone', 'email', 'address', 'postal_code', 'city']) assert.equal(row[field], '', `${field} emptied`);
      assert.equal(String(row.nif).trim(), '');
      assert.ok(row.erased_at instanceof Date);
    }
    assert.deepEqual(rows.rows.map((row) => [row.status_before_erasure, row.decided_by]), [['rejected', 'ana'], ['pending_approval', null]], 'the decision reached is kept');
    assert.equal((await sut.system.db.query('SELECT 1 FROM registration_documents WHERE registration_id = ANY($1)', [[first, second]])).rowCount, 0);
    assert.equal(JSON.stringify((await sut.system.db.query('SELECT * FROM whatsapp_deliveries WHERE chat_id = $1', [sut.system.personal.index('chat', `${digits}@c.us`)])).rows), '[]');
    const audited = await sut.system.db.query<{ actor: string; registration_id: string }>(
      "SELECT actor, registration_id FROM audit_log WHERE action = 'erase_driver' AND registration_id = ANY($1) ORDER BY id", [[first, second]]);
    assert.deepEqual(audited.rows.map((row) => [row.actor, row.registration_id]), [['olga', first], ['olga', second]]);

    assert.equal((await erase(operatorToken, { nif })).status, 404, 'nothing left to erase');
    assert.equal((await erase(operatorToken, { registration_id: second })).status, 404);
    const again = await sut.call('POST', '/drivers/register-typebot/', flatPayload(documents, { nif }));
    assert.equal(again.status, 201, 'the same NIF registers again');
  });

  it('takes a corrected field into the same registration, keeps the unchanged documents, and starts the review again', async () => {
    const payload = flatPayload(documents);
    const id = await register(sut, payload);
    const first = await pending(sut, id);
    const documentsBefore = (first.documents as DocumentView[]).map((doc) => [doc.id, doc.kind, doc.revision]).sort();
    const phone = `351${String(payload.telefone).replace(/\s/g, '')}`;
    const toDriver = () => sut.wpp.sent.filter((message) => message.phone === phone);

    const asked = await sut.asReviewer('POST', `/drivers/${id}/request-correction`, { items: ['postal_code'], message: 'O código postal não corresponde à morada.' });
    assert.deepEqual(asked.body, { registration_id: id, status: 'correction_requested' });
    const [told] = await eventually(async () => (toDriver().length === 1 ? toDriver() : undefined), 15_000, 'the request on WhatsApp');
    assert.match(told!.body, /código postal/);

    const corrected = await sut.call('POST', '/drivers/register-typebot/', { ...payload, codigo_postal: '4000-123', codigo_correcao: correctionCodeIn(told!.body) });
    assert.equal(corrected.status, 200, JSON.stringify(corrected.body));
    assert.equal(corrected.body.registration_id, id, 'the same registration');

    const again = await pending(sut, id);
    assert.equal(again.postal_code, '4000-123');
    assert.deepEqual((again.documents as DocumentView[]).map((doc) => [doc.id, doc.kind, doc.revision]).sort(), documentsBefore, 'no document revised');
    const rows = await sut.system.db.query<{ n: number }>('SELECT count(*)::int AS n FROM registrations WHERE nif_index = $1', [sut.system.personal.index('nif', String(payload.nif))]);
    assert.equal(rows.rows[0]!.n, 1);
    const revisions = await sut.system.db.query<{ n: number }>('SELECT count(*)::int AS n FROM registration_documents WHERE registration_id = $1', [id]);
    assert.equal(revisions.rows[0]!.n, 3, 'no new document row');

    // The fields as they were before the correction are kept (the console shows them side by side), and exported.
    const exported = await fetch(`${sut.system.apiUrl}/drivers/export`, { method: 'POST', headers: { authorization: `Bearer ${operatorToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ registration_id: id }) });
    const data = JSON.parse(strFromU8(unzipSync(new Uint8Array(await exported.arrayBuffer()))['dados.json']!)) as { registrations: Array<{ postal_code: string; earlier_fields: Array<{ revision: number; postal_code: string; nif: string }> }> };
    assert.equal(data.registrations[0]!.postal_code, '4000-123');
    assert.deepEqual(data.registrations[0]!.earlier_fields.map((revision) => [revision.revision, revision.postal_code, revision.nif]), [[1, '4050-262', String(payload.nif)]]);

    // The review starts again: a reviewer can decide, and the driver hears the outcome.
    assert.equal((await sut.asReviewer('POST', `/drivers/${id}/approve`)).body.status, 'approved');
    await eventually(async () => (toDriver().length === 2 ? true : undefined), 15_000, 'the approval on WhatsApp');
    assert.match(toDriver()[1]!.body, /foi aprovado/);
  });

  it('records the socket address in the audit log, not X-Forwarded-For, without TRUST_PROXY', async () => {
    const id = await register(sut, flatPayload(documents));
    const forwardedFor = `203.0.113.${randomInt(1, 254)}`;
    const response = await sut.call('GET', `/drivers/${id}`, undefined, { authorization: `Bearer ${sut.reviewerToken}`, 'x-forwarded-for': forwardedFor });
    assert.equal(response.status, 200);
    const audit = await sut.system.db.query<{ remote_address: string }>("SELECT remote_address FROM audit_log WHERE registration_id = $1 AND action = 'view_registration'", [id]);
    assert.deepEqual(audit.rows.map((row) => row.remote_address), ['127.0.0.1']);
  });
});

describe('reviewer API behind a proxy (TRUST_PROXY=true)', () => {
  let sut: TestSystem;
  let documents: SampleDocuments;
  before(async () => {
    sut = await startTestSystem({ TRUST_PROXY: 'true' });
    documents = await sampleDocuments();
  });
  after(async () => sut.stop());

  it("records the client's address from X-Forwarded-For in the audit log", async () => {
    const id = await register(sut, flatPayload(documents));
    const client = `203.0.113.${randomInt(1, 254)}`;
    const response = await sut.call('GET', `/drivers/${id}`, undefined, { authorization: `Bearer ${sut.reviewerToken}`, 'x-forwarded-for': `${client}, 10.0.0.2` });
    assert.equal(response.status, 200);
    const approved = await sut.call('POST', `/drivers/${id}/approve`, undefined, { authorization: `Bearer ${sut.reviewerToken}`, 'x-forwarded-for': client });
    assert.equal(approved.body.status, 'approved');
    const audit = await sut.system.db.query<{ action: string; remote_address: string }>('SELECT action, remote_address FROM audit_log WHERE registration_id = $1 ORDER BY id', [id]);
    assert.deepEqual(audit.rows.map((row) => [row.action, row.remote_address]), [['view_registration', client], ['approve', client]]);
  });
});
