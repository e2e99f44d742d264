/**
 * What the API's log never holds: a whole end-to-end run (a registration through the intake with
 * its secret, a driver's message to Chatwoot and an agent's reply back, refused requests with wrong
 * tokens, the reviewer console searched by NIF, phone and name) with the request log captured at
 * debug level, then grepped for every secret and for the driver's NIF, phone and name.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { chatAtRest, waitForIncoming } from '../support/bridge-views.ts';
import { ConsoleClient, signedIn } from '../support/console-client.ts';
import { flatPayload, randomMobile, randomNif, sampleDocuments } from '../support/registration-payloads.ts';
import { eventually, useTestSystem } from '../support/test-system.ts';

describe('the API log holds no secret and no personal data', () => {
  const lines: string[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const intakeSecret = `test-intake-secret-${randomUUID()}`;
  const system = useTestSystem({ LOG_LEVEL: 'debug', INTAKE_SHARED_SECRET: intakeSecret }, { bridge: true, logStream: capture });

  it('after a registration, a message both ways and refused requests, greps clean for secrets, NIF, phone and name', async () => {
    const sut = system();
    const nif = randomNif();
    const fullName = `Joaquina ${randomUUID().slice(0, 8).replace(/\d/g, 'x')} Ventura`;
    // The driver's number as the form holds it, and as WhatsApp gives it.
    const nationalPhone = randomMobile().replace(/ /g, '');
    const phone = `351${nationalPhone}`;
    const registration = await sut.call('POST', '/drivers/register-typebot/', flatPayload(await sampleDocuments(), { nif, nome_completo: fullName, telefone: nationalPhone }), { 'x-intake-token': intakeSecret });
    assert.equal(registration.status, 201);
    const view = await sut.asReviewer('GET', `/drivers/${String(registration.body.registration_id)}`);
    assert.equal(view.body.nif, nif);

    await sut.wpp.receive({ from: phone, body: `Sou ${fullName}, NIF ${nif}`, pushname: fullName });
    const { conversationId } = await waitForIncoming(sut, phone, `Sou ${fullName}, NIF ${nif}`);
    await sut.chatwoot!.agentReply(conversationId, { content: `Olá ${fullName}, recebemos o NIF ${nif}.` });
    await eventually(async () => (sut.wpp.sent.some((message) => message.phone === phone) ? true : undefined), 15_000, 'the reply on WhatsApp');
    await chatAtRest(sut, phone);

    // Refused: a wrong token in each place a secret travels.
    assert.equal((await sut.call('POST', `/webhooks/wppconnect/${sut.config.WPPCONNECT_WEBHOOK_TOKEN}x`, {})).status, 401);
    assert.equal((await sut.call('POST', '/drivers/register-typebot/', { nif }, { 'x-intake-token': `${intakeSecret}x` })).status, 401);
    assert.equal((await sut.call('GET', '/drivers', undefined, { authorization: `Bearer ${sut.reviewerToken}x` })).status, 401);
    await sut.chatwoot!.webhooksIdle();

    // A reviewer searches the console for the driver by NIF, phone and name; a stranger's search is sent to sign in (the URL in `next`).
    const { client } = await signedIn(sut, `log-${randomUUID().slice(0, 6)}`, 'reviewer');
    for (const q of [nif, nationalPhone, fullName]) assert.equal((await client.get(`/console?q=${encodeURIComponent(q)}`)).status, 200);
    assert.equal((await new ConsoleClient(sut.system.apiUrl!).get(`/console?q=${nif}`)).status, 303);

    const log = lines.join('');
    assert.match(log, /"url":"\/console\?\[redacted\]"/, 'the console searches were logged, with their query cut');
    assert.match(log, /"url":"\/webhooks\/wppconnect\/\[redacted\]"/, 'the webhook requests were logged, with the token cut');
    assert.match(log, /"url":"\/webhooks\/chatwoot"/, "Chatwoot's webhooks were logged");
    assert.match(log, /register-typebot/, 'the intake was logged');
    const secrets = {
      WPPCONNECT_WEBHOOK_TOKEN: sut.config.WPPCONNECT_WEBHOOK_TOKEN!,
      WPPCONNECT_SECRET_KEY: sut.config.WPPCONNECT_SECRET_KEY!,
      CHATWOOT_WEBHOOK_SECRET: sut.config.CHATWOOT_WEBHOOK_SECRET!,
      CHATWOOT_API_TOKEN: sut.config.CHATWOOT_API_TOKEN!,
      INTAKE_SHARED_SECRET: intakeSecret,
      'a reviewer token': sut.reviewerToken,
    };
    for (const [name, secret] of Object.entries(secrets)) assert.ok(!log.includes(secret), `${name} is in the log`);
    const personal = { NIF: nif, 'phone (international)': phone, 'phone (national)': nationalPhone, name: fullName, 'family name': 'Ventura' };
    for (const [name, value] of Object.entries(personal)) assert.ok(!log.includes(value), `the driver's ${name} is in the log`);
  });
});
