import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import { workflowIdOf } from '../../domain/registration.ts';
import { correctionCodeIn, flatPayload, sampleDocuments, variablesPayload, type SampleDocuments } from '../support/registration-payloads.ts';
import { eventually, useTestSystem } from '../support/test-system.ts';
import { makePng } from '../fixtures/documents.ts';

describe('driver registration, end to end through HTTP', () => {
  const system = useTestSystem();
  let documents: SampleDocuments;

  before(async () => {
    documents = await sampleDocuments();
  });

  async function submit(payload: unknown) {
    return system().call('POST', '/drivers/register-typebot/', payload);
  }

  async function pendingRegistration(id: string) {
    return eventually(async () => {
      const { body } = await system().asReviewer('GET', `/drivers/${id}`);
      return body.status === 'pending_approval' ? body : undefined;
    }, 20_000, 'registration to await a reviewer');
  }

  const messagesTo = (telefone: unknown) => system().wpp.sent.filter((message) => message.phone === `351${String(telefone).replace(/\s/g, '')}`);

  it('registers a Typebot submission, a reviewer approves it, and the driver is told in pt-PT on WhatsApp', async () => {
    const sut = system();
    const payload = flatPayload(documents);
    const created = await submit(variablesPayload(payload));
    assert.equal(created.status, 201);
    assert.equal(created.body.success, true);
    assert.equal(created.body.status, 'pending_approval');
    const id = created.body.registration_id as string;

    const registration = await pendingRegistration(id);
    assert.equal(registration.nif, payload.nif);
    assert.equal(registration.phone, `+351${String(payload.telefone).replace(/\s/g, '')}`);
    const docs = registration.documents as Array<{ id: string; kind: string; mime: string; links: { original: string; thumbnail: string | null } }>;
    assert.deepEqual(docs.map((doc) => doc.kind).sort(), ['licence_back', 'licence_front', 'proof_of_address']);

    const front = docs.find((doc) => doc.kind === 'licence_front')!;
    const photo = await fetch(`${sut.system.apiUrl}${front.links.original}`, { headers: { authorization: `Bearer ${sut.reviewerToken}` } });
    assert.equal(photo.status, 200);
    const meta = await sharp(Buffer.from(await photo.arrayBuffer())).metadata();
    assert.deepEqual([meta.width, meta.height], [400, 640], 'auto-oriented from EXIF orientation 6');
    assert.equal(meta.exif, undefined, 'EXIF (with GPS) stripped');
    assert.notEqual(front.links.thumbnail, null);

    const pdf = docs.find((doc) => doc.kind === 'proof_of_address')!;
    assert.equal(pdf.links.thumbnail, null);
    const pdfResponse = await fetch(`${sut.system.apiUrl}${pdf.links.original}`, { headers: { authorization: `Bearer ${sut.reviewerToken}` } });
    assert.deepEqual(Buffer.from(await pdfResponse.arrayBuffer()), documents.proofOfAddress, 'PDF kept byte for byte');
    assert.equal((await sut.storedFiles()).filter((file) => file.includes(`/registrations/${id}/received/`)).length, 0, 'received originals removed once processed');

    const approved = await sut.asReviewer('POST', `/drivers/${id}/approve`);
    assert.deepEqual(approved, { status: 200, body: { registration_id: id, status: 'approved' } });
    const row = await sut.system.db.query('SELECT status, decided_by FROM registrations WHERE id = $1', [id]);
    assert.deepEqual(row.rows[0], { status: 'approved', decided_by: 'ana' });

    const [message] = await eventually(async () => (messagesTo(payload.telefone).length > 0 ? messagesTo(payload.telefone) : undefined));
    assert.match(message!.body, /^Olá, Rui! O seu registo como motorista da Léguas Franzinas foi aprovado\. Damos-lhe as boas-vindas à equipa!/);

    const again = await sut.asReviewer('POST', `/drivers/${id}/approve`);
    assert.equal(again.status, 409);
    const audit = await sut.system.db.query('SELECT actor, action, outcome, remote_address FROM audit_log WHERE registration_id = $1 ORDER BY id', [id]);
    const actions = audit.rows.map((entry: { action: string; outcome: string }) => `${entry.action}:${entry.outcome}`);
    assert.ok(actions.includes('view_document:accepted') && actions.includes('approve:accepted') && actions.includes('approve:refused'), actions.join());
    assert.ok(audit.rows.every((entry: { actor: string; remote_address: string }) => entry.actor === 'ana' && entry.remote_address !== ''));
    // The registration's workflow ends once the driver was told: by then it has sent all it will.
    await sut.system.temporal.workflow.getHandle(workflowIdOf(id)).result();
    assert.equal(messagesTo(payload.telefone).length, 1, 'told exactly once');
  });

  it('requires a reason to reject, tells the driver why, and lets them register again', async () => {
    const sut = system();
    const payload = flatPayload(documents);
    const id = (await submit(payload)).body.registration_id as string;
    await pendingRegistration(id);

    assert.equal((await sut.asReviewer('POST', `/drivers/${id}/reject`, {})).status, 400);
    const rejected = await sut.asReviewer('POST', `/drivers/${id}/reject`, { reason: 'A carta de condução está caducada.' });
    assert.equal(rejected.body.status, 'rejected');
    const [message] = await eventually(async () => (messagesTo(payload.telefone).length > 0 ? messagesTo(payload.telefone) : undefined));
    assert.match(message!.body, /Motivo: A carta de condução está caducada\./);

    const retry = await submit({ ...payload, email: 'outro@example.pt' });
    assert.equal(retry.status, 201);
    assert.notEqual(retry.body.registration_id, id);
  });

  it('asks for a correction and takes the corrected submission into the same registration', async () => {
    const sut = system();
    const payload = flatPayload(documents);
    const id = (await submit(payload)).body.registration_id as string;
    await pendingRegistration(id);

    const asked = await sut.asReviewer('POST', `/drivers/${id}/request-correction`, { items: ['licence_back'], message: 'A fotografia está desfocada.' });
    assert.deepEqual(asked.body, { registration_id: id, status: 'correction_requested' });
    const [message] = await eventually(async () => (messagesTo(payload.telefone).length > 0 ? messagesTo(payload.telefone) : undefined));
    assert.match(message!.body, /corrija: fotografia da carta de condução \(verso\)\./);
    assert.match(message!.body, /A fotografia está desfocada\./);
    // The form has no chat: the code the request sent is what lets the driver correct from it.
    const codigo_correcao = correctionCodeIn(message!.body);

    const unchanged = await submit({ ...payload, codigo_correcao });
    assert.equal(unchanged.status, 422);
    assert.match(String(unchanged.body.error), /iguais aos anteriores\. Corrija primeiro: fotografia da carta de condução \(verso\)\./);

    const sharper = await makePng({ width: 800, height: 500 });
    const corrected = await submit({ ...payload, cnh_verso: `data:image/png;base64,${sharper.toString('base64')}`, codigo_correcao: codigo_correcao.toLowerCase() });
    assert.equal(corrected.status, 200, JSON.stringify(corrected.body));
    assert.equal(corrected.body.registration_id, id);

    const again = await pendingRegistration(id);
    const back = (again.documents as Array<{ kind: string; revision: number; width: number }>).filter((doc) => doc.kind === 'licence_back');
    assert.deepEqual(back.map((doc) => [doc.revision, doc.width]), [[2, 800]]);
    // The superseded revision's file is kept beside the new one (reviewers compare them); its received original is gone.
    assert.ok((await sut.storedFiles()).some((file) => file.includes(id) && file.includes('licence_back-r1')), 'superseded revision kept');

    assert.equal((await sut.asReviewer('POST', `/drivers/${id}/approve`)).body.status, 'approved');
    await eventually(async () => (messagesTo(payload.telefone).length === 2 ? true : undefined));
    assert.match(messagesTo(payload.telefone)[1]!.body, /foi aprovado/);
  });

  it('answers any second submission for a NIF under review from outside its chat with one refusal, identical data included', async () => {
    const sut = system();
    const payload = flatPayload(documents);
    const first = await submit(payload);
    assert.equal(first.status, 201);
    const repeat = await submit(payload);
    const other = await submit({ ...payload, email: 'diferente@example.pt' });
    for (const answer of [repeat, other]) {
      assert.equal(answer.status, 409);
      assert.equal(answer.body.success, false);
      assert.match(String(answer.body.error), /^Já existe um registo de motorista para este NIF\. Se o registo é seu/);
    }
    assert.deepEqual(repeat.body, other.body, 'the same answer whatever was sent');
    const rows = await sut.system.db.query<{ n: number }>('SELECT count(*)::int AS n FROM registrations WHERE nif_index = $1', [sut.system.personal.index('nif', String(payload.nif))]);
    assert.equal(rows.rows[0]!.n, 1);
  });

  it('keeps the reviewer API behind a bearer token', async () => {
    const sut = system();
    assert.equal((await sut.call('GET', '/drivers')).status, 401);
    assert.equal((await sut.call('GET', '/drivers', undefined, { authorization: 'Bearer not-a-known-token' })).status, 401);
    const listed = await sut.asReviewer('GET', '/drivers?status=approved');
    assert.equal(listed.status, 200);
    assert.ok((listed.body.items as Array<{ status: string }>).every((item) => item.status === 'approved'));
  });

  it('reports healthy only when PostgreSQL and Temporal answer', async () => {
    const sut = system();
    assert.deepEqual(await sut.call('GET', '/health'), { status: 200, body: { status: 'ok', database: 'ok', temporal: 'ok' } });
  });
});
