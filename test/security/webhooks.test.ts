/**
 * Security suite, the bridge's webhooks: `POST /webhooks/wppconnect/:token` (a secret in the URL)
 * and `POST /webhooks/chatwoot` (HMAC of "timestamp.raw body"). Each row one bad input, refused in
 * English (operators read these) or answered 2xx as ignored (so the sender does not retry), with no
 * chat workflow started, no file stored, nothing sent to WhatsApp and nothing posted in Chatwoot.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { describe, it } from 'node:test';
import { requestErrors } from '../../domain/texts/intake.ts';
import { signChatwootWebhook } from '../../integrations/chatwoot/signature.ts';
import { makePdf } from '../fixtures/documents.ts';
import { chatAtRest, chatState, chatWorkflowExists, chatwootView, newDriverPhone, waitForIncoming, webhooksAnswered } from '../support/bridge-views.ts';
import { useInternalServers } from '../support/recording-server.ts';
import { eventually, useTestSystem, type TestSystem } from '../support/test-system.ts';
import { changedBy, runRows, send, type RawRequest, type Row } from './bad-input-table.ts';

const reviewerToken = `reviewer-${randomUUID()}`;

interface Context {
  /** WhatsApp digits of a phone no test has used. */
  phone: string;
  chatId: string;
  /** The same phone in chat ids no WhatsApp chat has: traversal, encoded slash, NUL. */
  forged: { traversal: string; encodedSlash: string; nul: string; notWhatsApp: string };
}

/** A Chatwoot delivery as it reached the API: the exact bytes and the signature headers. */
interface CapturedDelivery {
  body: Buffer;
  headers: Record<string, string>;
}

/**
 * Stands between the Chatwoot simulator and the API, as a network tap would: records each webhook's
 * bytes and headers (what an eavesdropper could replay), and passes it on unchanged.
 */
function webhookTap(target: () => string, captured: CapturedDelivery[]): Server {
  return createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = pick(request.headers, ['content-type', 'x-chatwoot-timestamp', 'x-chatwoot-signature']);
      const body = Buffer.concat(chunks);
      captured.push({ body, headers });
      void fetch(target(), { method: 'POST', headers, body }).then(
        async (answer) => response.writeHead(answer.status, { 'content-type': 'application/json' }).end(Buffer.from(await answer.arrayBuffer())),
        () => response.writeHead(502).end(),
      );
    });
  });
}

function pick(headers: IncomingHttpHeaders, names: string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((name) => (typeof headers[name] === 'string' ? [[name, headers[name]]] : [])));
}

const now = () => Math.floor(Date.now() / 1000);
const newContext = (): Context => {
  const phone = newDriverPhone();
  return {
    phone,
    chatId: `${phone}@c.us`,
    forged: { traversal: `../../${phone}@c.us`, encodedSlash: `${phone}%2f..%2f@c.us`, nul: `${phone}\u0000@c.us`, notWhatsApp: `${phone}@evil.example` },
  };
};
/** A driver's text message as WPPConnect posts it (CONTRACTS.md §2.5). */
const driverMessage = (session: string, c: Context, overrides: Record<string, unknown> = {}) => ({
  event: 'onmessage', session, id: `false_${c.chatId}_3EB0${randomBytes(8).toString('hex').toUpperCase()}`,
  type: 'chat', body: 'Olá, quero informações', from: c.chatId, to: '351930000000@c.us', chatId: c.chatId, fromMe: false,
  t: now(), timestamp: now(), notifyName: 'Rui', isGroupMsg: false, sender: { id: c.chatId, pushname: 'Rui' }, ...overrides,
});

describe('security: the webhooks refuse or ignore every bad input and change nothing', () => {
  const captured: CapturedDelivery[] = [];
  /** The chat whose two agent replies were captured, once set up. */
  let tappedChat: string | undefined;
  let tap: Server | undefined;

  const system = useTestSystem({ REVIEWER_TOKENS: `sec-webhooks:${reviewerToken}` }, { bridge: true }, {
    started: async (sut) => {
      tap = webhookTap(() => `${sut.system.apiUrl}/webhooks/chatwoot`, captured);
      await new Promise<void>((resolve) => tap!.listen(0, '127.0.0.1', resolve));
      sut.chatwoot!.setWebhookUrl(`http://127.0.0.1:${(tap.address() as { port: number }).port}/`);
    },
    stopping: () => new Promise<void>((resolve) => (tap === undefined ? resolve() : tap.close(() => resolve()))),
  });


  // --- WPPConnect ---------------------------------------------------------------------------------
  const wppRoute = 'POST /webhooks/wppconnect/:token';
  const webhookToken = () => system().config.WPPCONNECT_WEBHOOK_TOKEN!;
  const wpp = (body: unknown, token = webhookToken(), headers: Record<string, string> = {}): RawRequest =>
    ({ method: 'POST', path: `/webhooks/wppconnect/${token}`, headers, body });
  const onmessage = (c: Context, overrides: Record<string, unknown> = {}) => driverMessage(system().wpp.session, c, overrides);
  /** The same as a JSON text with `tail` (raw JSON members) appended inside the object. */
  const rawOnmessage = (c: Context, tail: string) => wpp(`${JSON.stringify(onmessage(c)).slice(0, -1)},${tail}}`);
  const forgedChat = (chatId: string) => ({ from: chatId, chatId, sender: { id: chatId, pushname: 'Rui' }, id: `false_${chatId}_3EB0AA` });
  const unknownToken = /^Unknown webhook token$/;
  const invalidWpp = /^WPPConnect \w+ webhook is missing what the bridge needs$/;

  const wppRows: Row<Context>[] = [
    { route: wppRoute, name: 'a wrong token', request: (c) => wpp(onmessage(c), `test-webhook-${randomUUID()}`), expect: { status: 401, errorMatches: unknownToken } },
    { route: wppRoute, name: 'the token plus one character', request: (c) => wpp(onmessage(c), `${webhookToken()}x`), expect: { status: 401, errorMatches: unknownToken } },
    { route: wppRoute, name: 'the token minus its last character', request: (c) => wpp(onmessage(c), webhookToken().slice(0, -1)), expect: { status: 401, errorMatches: unknownToken } },
    { route: wppRoute, name: 'the token with an encoded NUL after it', request: (c) => wpp(onmessage(c), `${webhookToken()}%00`), expect: { status: 401, errorMatches: unknownToken } },
    { route: wppRoute, name: 'a path traversal as the token', request: (c) => wpp(onmessage(c), '..%2f..%2fhealth'), expect: { status: 401, errorMatches: unknownToken } },
    { route: wppRoute, name: 'the token followed by a dot segment', request: (c) => wpp(onmessage(c), `${webhookToken()}/..`), expect: { status: 404, errorMatches: /^Not found$/ } },
    { route: wppRoute, name: 'no token at all', request: (c) => ({ method: 'POST', path: '/webhooks/wppconnect/', body: onmessage(c) }), expect: { status: 401, errorMatches: unknownToken } },
    { route: wppRoute, name: "a reviewer's token (another credential) as the token", request: (c) => wpp(onmessage(c), reviewerToken), expect: { status: 401, errorMatches: unknownToken } },
    { route: wppRoute, name: "Chatwoot's webhook secret (another credential) as the token", request: (c) => wpp(onmessage(c), system().chatwoot!.webhookSecret), expect: { status: 401, errorMatches: unknownToken } },
    { route: wppRoute, name: "WPPConnect's own secret key (another credential) as the token", request: (c) => wpp(onmessage(c), system().wpp.secretKey), expect: { status: 401, errorMatches: unknownToken } },
    { route: wppRoute, name: 'the token in an Authorization header and a wrong one in the URL', request: (c) => wpp(onmessage(c), 'x', { authorization: `Bearer ${webhookToken()}` }), expect: { status: 401, errorMatches: unknownToken } },
    // The token is checked before the body is read (finding 2): whatever the body, a wrong token is a 401.
    { route: wppRoute, name: 'a wrong token and invalid JSON (the token is checked before the body is read)', request: () => wpp('{"event": "onmessage",', 'wrong'), expect: { status: 401, errorMatches: unknownToken } },
    { route: wppRoute, name: 'a wrong token and a text body', request: () => wpp('event=onmessage', 'wrong', { 'content-type': 'text/plain' }), expect: { status: 401, errorMatches: unknownToken } },
    { route: wppRoute, name: 'a wrong token and a body of an unknown type (the token is checked before the body is read)', request: () => wpp('<event/>', 'wrong', { 'content-type': 'application/xml' }), expect: { status: 401, errorMatches: unknownToken } },
    { route: wppRoute, name: 'a wrong token, declaring a 50 MB body and sending 1 KB (answered without reading it)', request: () => wpp(' '.repeat(1024), 'wrong', { 'content-length': String(50 * 1024 * 1024) }), expect: { status: 401, errorMatches: unknownToken } },

    { route: wppRoute, name: 'invalid JSON', request: () => wpp('{"event": "onmessage",'), expect: { status: 400, errorMatches: /not valid JSON/ } },
    { route: wppRoute, name: 'an empty body declared as JSON', request: () => wpp(''), expect: { status: 400, errorMatches: /cannot be empty/ } },
    { route: wppRoute, name: 'the message as text/plain', request: (c) => wpp(JSON.stringify(onmessage(c)), webhookToken(), { 'content-type': 'text/plain' }), expect: { status: 400, errorMatches: invalidWpp } },
    { route: wppRoute, name: 'a JSON array', request: (c) => wpp([onmessage(c)]), expect: { status: 400, errorMatches: invalidWpp } },
    { route: wppRoute, name: 'no event', request: (c) => wpp({ ...onmessage(c), event: undefined }), expect: { status: 400, errorMatches: invalidWpp } },
    { route: wppRoute, name: 'a message without its id', request: (c) => wpp({ ...onmessage(c), id: undefined }), expect: { status: 400, errorMatches: invalidWpp } },
    { route: wppRoute, name: 'a message whose id is nested 100,000 arrays deep', request: (c) => rawOnmessage(c, `"id": ${'['.repeat(100_000)}"x"${']'.repeat(100_000)}`), expect: { status: 400, errorMatches: invalidWpp } },
    { route: wppRoute, name: 'a message time beyond double precision (1e400)', request: (c) => rawOnmessage(c, '"t": 1e400'), expect: { status: 400, errorMatches: invalidWpp } },
    { route: wppRoute, name: 'a sender id that is an object without _serialized', request: (c) => wpp({ ...onmessage(c), from: { user: c.phone } }), expect: { status: 400, errorMatches: invalidWpp } },
    { route: wppRoute, name: '10,000 fields and no event', request: () => wpp(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]))), expect: { status: 400, errorMatches: invalidWpp } },
    { route: wppRoute, name: 'a duplicate "fromMe" key whose last value is true (last one wins: our own message)', request: (c) => rawOnmessage(c, '"fromMe": true'), expect: { status: 200, answer: { ok: true, relayed: false } } },
    { route: wppRoute, name: 'our own message echoed back (fromMe)', request: (c) => wpp(onmessage(c, { fromMe: true, id: `true_${c.chatId}_3EB0BB` })), expect: { status: 200, answer: { ok: true, relayed: false } } },
    { route: wppRoute, name: 'a status broadcast', request: (c) => wpp(onmessage(c, { chatId: 'status@broadcast', from: 'status@broadcast' })), expect: { status: 200, answer: { ok: true, relayed: false } } },
    { route: wppRoute, name: 'a group message while groups are off', request: (c) => wpp(onmessage(c, { isGroupMsg: true, chatId: `${c.phone}-1600000000@g.us`, from: `${c.phone}-1600000000@g.us`, author: c.chatId })), expect: { status: 200, answer: { ok: true, relayed: false } } },
    { route: wppRoute, name: 'an event the bridge does not handle', request: (c) => wpp({ event: 'onpresencechanged', session: system().wpp.session, id: c.chatId, state: 'typing' }), expect: { status: 200, answer: { ok: true } } },
    { route: wppRoute, name: "a delivery ack for a message that is not ours", request: (c) => wpp({ event: 'onack', session: system().wpp.session, id: { _serialized: `false_${c.chatId}_3EB0CC` }, ack: 3 }), expect: { status: 200, answer: { ok: true } } },
    { route: wppRoute, name: 'a message from a chat id with a path traversal', request: (c) => wpp(onmessage(c, forgedChat(c.forged.traversal))), expect: { status: 400, errorMatches: /not a WhatsApp chat/ } },
    { route: wppRoute, name: 'a message from a chat id with an encoded slash', request: (c) => wpp(onmessage(c, forgedChat(c.forged.encodedSlash))), expect: { status: 400, errorMatches: /not a WhatsApp chat/ } },
    { route: wppRoute, name: 'a message from a chat id with a NUL', request: (c) => wpp(onmessage(c, forgedChat(c.forged.nul))), expect: { status: 400, errorMatches: /not a WhatsApp chat/ } },
    { route: wppRoute, name: 'a message from a chat id of no WhatsApp server', request: (c) => wpp(onmessage(c, forgedChat(c.forged.notWhatsApp))), expect: { status: 400, errorMatches: /not a WhatsApp chat/ } },
    { route: wppRoute, name: 'an ack of "our" message in a chat id with a path traversal', request: (c) => wpp({ event: 'onack', session: system().wpp.session, id: { _serialized: `true_${c.forged.traversal}_3EB0DD` }, ack: 2 }), expect: { status: 400, errorMatches: /not a WhatsApp chat/ } },
    {
      route: wppRoute, name: 'a file whose media type carries a header (CR/LF) and a script type',
      request: (c) => wpp(onmessage(c, { type: 'document', body: Buffer.from('<script>alert(1)</script>').toString('base64'), size: 25, mimetype: 'text/html\r\nX-Injected: 1', filename: 'x.html' })),
      expect: { status: 400, errorMatches: invalidWpp },
    },
  ];

  // --- Chatwoot -----------------------------------------------------------------------------------
  const cwRoute = 'POST /webhooks/chatwoot';
  const secret = () => system().chatwoot!.webhookSecret;
  const inboxId = () => system().chatwoot!.inboxId;
  /** An agent's reply as Chatwoot posts it (CONTRACTS.md §1.7), for the row's chat. */
  const messageCreated = (c: Context, overrides: Record<string, unknown> = {}) => ({
    event: 'message_created', id: randomInt(1_000_000, 2_000_000_000), content: 'Bom dia! Em que posso ajudar?', message_type: 'outgoing', private: false,
    source_id: null, content_attributes: {}, inbox: { id: inboxId() }, attachments: [],
    conversation: { id: randomInt(100_000, 999_999), contact_inbox: { source_id: c.chatId } }, ...overrides,
  });
  const hmac = (text: string | Buffer, key = secret()) => `sha256=${createHmac('sha256', key).update(text).digest('hex')}`;
  /** Chatwoot's POST: `raw` (or the payload as JSON) with `headers`, signed as Chatwoot signs unless `headers` say otherwise. */
  const chatwoot = (payload: unknown, headers?: (raw: string) => Record<string, string>): RawRequest => {
    const raw = typeof payload === 'string' ? payload : JSON.stringify(payload);
    return { method: 'POST', path: '/webhooks/chatwoot', headers: headers?.(raw) ?? signChatwootWebhook(secret(), raw, now()), body: raw };
  };
  const signedAt = (timestamp: number) => (raw: string) => signChatwootWebhook(secret(), raw, timestamp);
  const invalidSignature = /^Invalid webhook signature$/;
  const manyFields = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
  const capturedAs = (index: () => number, headersOf?: () => Record<string, string>): (() => RawRequest) => () => {
    const delivery = captured[index()]!;
    return { method: 'POST', path: '/webhooks/chatwoot', headers: headersOf?.() ?? delivery.headers, body: delivery.body };
  };
  const agentReplies = () => captured.flatMap((delivery, index) => {
    const body = delivery.body.toString('utf8');
    // Signed only: the attachment rows' genuine replies go unsigned (and are refused) on purpose.
    const signed = delivery.headers['x-chatwoot-signature'] !== undefined;
    return signed && body.includes('"event":"message_created"') && body.includes('"message_type":"outgoing"') ? [index] : [];
  });

  const cwRows: Row<Context>[] = [
    { route: cwRoute, name: 'unsigned', request: (c) => chatwoot(messageCreated(c), () => ({})), expect: { status: 401, errorMatches: invalidSignature } },
    { route: cwRoute, name: 'signed with another secret', request: (c) => chatwoot(messageCreated(c), (raw) => signChatwootWebhook('another-secret', raw, now())), expect: { status: 401, errorMatches: invalidSignature } },
    { route: cwRoute, name: 'signed with a timestamp 301 s old (expired)', request: (c) => chatwoot(messageCreated(c), signedAt(now() - 301)), expect: { status: 401, errorMatches: invalidSignature } },
    { route: cwRoute, name: 'signed with a timestamp an hour ahead', request: (c) => chatwoot(messageCreated(c), signedAt(now() + 3600)), expect: { status: 401, errorMatches: invalidSignature } },
    { route: cwRoute, name: 'a timestamp that is not a number', request: (c) => chatwoot(messageCreated(c), (raw) => ({ ...signChatwootWebhook(secret(), raw, now()), 'x-chatwoot-timestamp': 'amanhã' })), expect: { status: 401, errorMatches: invalidSignature } },
    { route: cwRoute, name: 'a timestamp other than the one signed', request: (c) => chatwoot(messageCreated(c), (raw) => ({ ...signChatwootWebhook(secret(), raw, now() - 10), 'x-chatwoot-timestamp': String(now()) })), expect: { status: 401, errorMatches: invalidSignature } },
    { route: cwRoute, name: 'the signature without its timestamp header', request: (c) => chatwoot(messageCreated(c), (raw) => ({ 'x-chatwoot-signature': signChatwootWebhook(secret(), raw, now())['x-chatwoot-signature']! })), expect: { status: 401, errorMatches: invalidSignature } },
    { route: cwRoute, name: 'an MD5 signature', request: (c) => chatwoot(messageCreated(c), (raw) => ({ 'x-chatwoot-timestamp': String(now()), 'x-chatwoot-signature': `md5=${createHmac('md5', secret()).update(raw).digest('hex')}` })), expect: { status: 401, errorMatches: invalidSignature } },
    { route: cwRoute, name: 'the signature without "sha256="', request: (c) => chatwoot(messageCreated(c), (raw) => ({ 'x-chatwoot-timestamp': String(now()), 'x-chatwoot-signature': hmac(`${now()}.${raw}`).slice('sha256='.length) })), expect: { status: 401, errorMatches: invalidSignature } },
    { route: cwRoute, name: 'signed over "body.timestamp" (parts reordered)', request: (c) => chatwoot(messageCreated(c), (raw) => ({ 'x-chatwoot-timestamp': String(now()), 'x-chatwoot-signature': hmac(`${raw}.${now()}`) })), expect: { status: 401, errorMatches: invalidSignature } },
    { route: cwRoute, name: 'signed over the body alone', request: (c) => chatwoot(messageCreated(c), (raw) => ({ 'x-chatwoot-timestamp': String(now()), 'x-chatwoot-signature': hmac(raw) })), expect: { status: 401, errorMatches: invalidSignature } },
    { route: cwRoute, name: "another body's signature", request: (c) => chatwoot(messageCreated(c), () => signChatwootWebhook(secret(), JSON.stringify(messageCreated(c)), now())), expect: { status: 401, errorMatches: invalidSignature } },
    { route: cwRoute, name: 'the body re-serialised after signing', request: (c) => { const raw = JSON.stringify(messageCreated(c)); return { ...chatwoot(JSON.stringify(JSON.parse(raw), null, 1), () => signChatwootWebhook(secret(), raw, now())) }; }, expect: { status: 401, errorMatches: invalidSignature } },
    { route: cwRoute, name: "a reviewer's token (another credential) instead of a signature", request: (c) => chatwoot(messageCreated(c), () => ({ authorization: `Bearer ${reviewerToken}` })), expect: { status: 401, errorMatches: invalidSignature } },
    {
      route: cwRoute, name: "one captured delivery's signature on another captured body (reordered)",
      request: () => capturedAs(() => agentReplies()[1]!, () => captured[agentReplies()[0]!]!.headers)(),
      expect: { status: 401, errorMatches: invalidSignature },
    },
    { route: cwRoute, name: "an agent's reply replayed byte for byte with its valid signature", request: () => capturedAs(() => agentReplies()[0]!)(), expect: { status: 200, answer: { ok: true, forwarded: true } } },
    { route: cwRoute, name: 'the later of two replies replayed, then the earlier (reordered)', request: async () => {
      const [first, second] = agentReplies();
      const later = capturedAs(() => second!)();
      assert.equal((await send(system().system.apiUrl!, later)).status, 200);
      return capturedAs(() => first!)();
    }, expect: { status: 200, answer: { ok: true, forwarded: true } } },
    // Whether a signature is presented is checked before the body is read; the signature itself after.
    { route: cwRoute, name: 'unsigned invalid JSON (refused before the body is read)', request: () => chatwoot('{"event": "message_created",', () => ({})), expect: { status: 401, errorMatches: invalidSignature } },
    { route: cwRoute, name: 'unsigned, declaring a 50 MB body and sending 1 KB (answered without reading it)', request: () => chatwoot(' '.repeat(1024), () => ({ 'content-length': String(50 * 1024 * 1024) })), expect: { status: 401, errorMatches: invalidSignature } },
    { route: cwRoute, name: 'signed invalid JSON', request: () => chatwoot('{"event": "message_created",'), expect: { status: 400, errorMatches: /^Body is not valid JSON$/ } },
    // Fastify's text/plain parser takes the body as a string; the signature is checked over the JSON body's bytes only, so this one fails it.
    { route: cwRoute, name: 'signed, sent as text/plain', request: (c) => { const request = chatwoot(messageCreated(c)); return { ...request, headers: { ...request.headers, 'content-type': 'text/plain' } }; }, expect: { status: 401, errorMatches: invalidSignature } },
    { route: cwRoute, name: 'a body over 1 MiB', request: (c) => chatwoot(messageCreated(c, { content: 'x'.repeat(1_100_000) })), expect: { status: 413, errorMatches: /too large/i } },

    { route: cwRoute, name: 'signed, from another inbox', request: (c) => chatwoot(messageCreated(c, { inbox: { id: inboxId() + 1 } })), expect: { status: 200, ignoredBecause: /^inbox \d+$/ } },
    { route: cwRoute, name: "signed, the driver's own (incoming) message", request: (c) => chatwoot(messageCreated(c, { message_type: 'incoming' })), expect: { status: 200, ignoredBecause: /^message_type incoming$/ } },
    { route: cwRoute, name: 'signed, a private note', request: (c) => chatwoot(messageCreated(c, { private: true })), expect: { status: 200, ignoredBecause: /^private note$/ } },
    { route: cwRoute, name: "signed, the bridge's own post echoed back", request: (c) => chatwoot(messageCreated(c, { source_id: `wa:false_${c.chatId}_3EB0EE` })), expect: { status: 200, ignoredBecause: /echo/ } },
    { route: cwRoute, name: 'signed, an event the bridge does not handle', request: (c) => chatwoot({ ...messageCreated(c), event: 'contact_created' }), expect: { status: 200, ignoredBecause: /^event contact_created$/ } },
    { route: cwRoute, name: 'signed, a message without its conversation', request: (c) => chatwoot({ ...messageCreated(c), conversation: undefined }), expect: { status: 200, ignoredBecause: /unrecognised message_created/ } },
    { route: cwRoute, name: 'signed, a message id beyond double precision (1e400)', request: (c) => chatwoot(`${JSON.stringify(messageCreated(c)).slice(0, -1)},"id":1e400}`), expect: { status: 200, ignoredBecause: /unrecognised message_created/ } },
    { route: cwRoute, name: 'signed, a duplicate "message_type" key whose last value is incoming', request: (c) => chatwoot(`${JSON.stringify(messageCreated(c)).slice(0, -1)},"message_type":"incoming"}`), expect: { status: 200, ignoredBecause: /^message_type incoming$/ } },
    { route: cwRoute, name: 'signed, 10,000 fields on an event the bridge does not handle', request: (c) => chatwoot({ ...manyFields, ...messageCreated(c), event: 'contact_updated' }), expect: { status: 200, ignoredBecause: /^event contact_updated$/ } },
    { route: cwRoute, name: 'signed, an update of a reply that is no retry (a translation)', request: (c) => chatwoot({ ...messageCreated(c), event: 'message_updated', content_attributes: { translations: { en: 'Hello' } } }), expect: { status: 200, ignoredBecause: /^an update that is no retry$/ } },
    { route: cwRoute, name: 'signed, a failure being recorded on a reply', request: (c) => chatwoot({ ...messageCreated(c), event: 'message_updated', content_attributes: { external_error: 'x'.repeat(100_000) } }), expect: { status: 200, ignoredBecause: /^a failure recorded$/ } },
    { route: cwRoute, name: 'signed, content attributes nested 100,000 objects deep on an incoming message', request: (c) => chatwoot(`${JSON.stringify(messageCreated(c, { message_type: 'incoming' })).slice(0, -1)},"content_attributes":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`), expect: { status: 200, ignoredBecause: /unrecognised message_created|message_type incoming/ } },
    { route: cwRoute, name: 'signed, invalid UTF-8 in an incoming message', request: (c) => { const raw = Buffer.concat([Buffer.from(JSON.stringify(messageCreated(c, { message_type: 'incoming' })).slice(0, -1) + ',"content":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]); return { method: 'POST', path: '/webhooks/chatwoot', headers: { 'x-chatwoot-timestamp': String(now()), 'x-chatwoot-signature': hmac(Buffer.concat([Buffer.from(`${now()}.`), raw])) }, body: raw }; }, expect: { status: 200, ignoredBecause: /^message_type incoming$/ } },
    // Kept and answered like any agent event (Temporal is not asked before the answer); a chat with no workflow then has nothing to take it.
    { route: cwRoute, name: 'signed, a resolution for a chat that has no workflow', request: (c) => chatwoot({ event: 'conversation_status_changed', id: 4242, inbox_id: inboxId(), status: 'resolved', contact_inbox: { source_id: c.chatId }, changed_attributes: [{ status: { previous_value: 'open', current_value: 'resolved' } }] }), expect: { status: 200, answer: { ok: true, forwarded: true } } },
    {
      route: cwRoute, name: 'signed, a conversation update with 300,000 changed attributes',
      request: (c) => chatwoot(`{"event":"conversation_updated","id":4242,"inbox_id":${inboxId()},"status":"open","contact_inbox":{"source_id":"${c.chatId}"},"changed_attributes":[${Array.from({ length: 300_000 }, () => '{}').join(',')}]}`),
      expect: { status: 200, ignoredBecause: /without an assignment/ },
    },
    { route: cwRoute, name: "signed, an agent's reply to a chat id with a path traversal", request: (c) => chatwoot(messageCreated(c, { conversation: { id: 4242, contact_inbox: { source_id: c.forged.traversal } } })), expect: { status: 200, ignoredBecause: /not a WhatsApp chat/ } },
    { route: cwRoute, name: "signed, an agent's reply to a chat id with an encoded slash", request: (c) => chatwoot(messageCreated(c, { conversation: { id: 4242, contact_inbox: { source_id: c.forged.encodedSlash } } })), expect: { status: 200, ignoredBecause: /not a WhatsApp chat/ } },
    { route: cwRoute, name: "signed, an agent's reply to a chat id with a NUL", request: (c) => chatwoot(messageCreated(c, { conversation: { id: 4242, contact_inbox: { source_id: c.forged.nul } } })), expect: { status: 200, ignoredBecause: /not a WhatsApp chat/ } },
    { route: cwRoute, name: "signed, an agent's reply to a contact that is no WhatsApp chat", request: (c) => chatwoot(messageCreated(c, { conversation: { id: 4242, contact_inbox: { source_id: c.forged.notWhatsApp } } })), expect: { status: 200, ignoredBecause: /not a WhatsApp chat/ } },
  ];

  // --- What must not change -----------------------------------------------------------------------
  const chatwootTotals = (sut: TestSystem) => {
    const conversations = sut.chatwoot!.conversations();
    return { contacts: sut.chatwoot!.contacts().length, conversations: conversations.length, messages: conversations.reduce((n, conversation) => n + sut.chatwoot!.messages(conversation.id).length, 0) };
  };
  const probes = (c: Context) => ({
    "chat workflows for the row's chat ids": async () => Promise.all([c.chatId, ...Object.values(c.forged)].map((chatId) => chatWorkflowExists(system(), chatId))),
    'chat workflows on the bridge queue': () => system().workflowCount(system().config.BRIDGE_TASK_QUEUE),
    'stored files (chat media)': async () => (await system().storedFiles()).sort(),
    'WhatsApp messages sent': async () => system().wpp.sent.length,
    'Chatwoot contacts, conversations and messages': async () => chatwootTotals(system()),
    "relay claims for the row's chat": async () => (await system().system.db.query<{ n: number }>(
      // PostgreSQL text cannot hold a NUL, so no claim can carry that one.
      'SELECT count(*)::int AS n FROM bridge_messages WHERE chat_id = ANY($1)', [[c.chatId, ...Object.values(c.forged)].map((id) => system().system.personal.index('chat', id))],
    )).rows[0]!.n,
  });
  const settle = async () => {
    const sut = system();
    await webhooksAnswered(sut);
    if (tappedChat !== undefined) await chatAtRest(sut, tappedChat);
  };

  /** A real conversation with two agent replies, captured on their way to the API, for the replay rows. */
  it('captures two signed agent replies of a real conversation (setup for the replay rows)', async () => {
    const sut = system();
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'Olá, preciso de ajuda' });
    await waitForIncoming(sut, phone, 'Olá, preciso de ajuda');
    const conversationId = chatwootView(sut).conversationIdOf(phone);
    for (const content of ['Bom dia!', 'Em que posso ajudar?']) {
      await sut.chatwoot!.agentReply(conversationId, { content });
      await sut.chatwoot!.webhooksIdle();
    }
    await eventually(async () => (sut.wpp.sent.filter((message) => message.phone === phone).length === 2 ? true : undefined), 15_000, 'both replies on WhatsApp');
    tappedChat = `${phone}@c.us`;
    await chatAtRest(sut, tappedChat);
    assert.equal(agentReplies().length, 2, 'both replies went through the tap');
  });

  runRows([...wppRows, ...cwRows], {
    baseUrl: () => system().system.apiUrl!,
    audience: () => 'operator',
    context: newContext,
    probes,
    settle,
    secrets: () => [webhookToken(), secret(), reviewerToken, system().wpp.secretKey, system().chatwoot!.apiToken],
  });

  // --- Agents' attachments at forged addresses -----------------------------------------------------
  // A signed reply (a leaked secret, or Chatwoot without signatures) whose attachment names an address
  // that is not Chatwoot's (127.0.0.1 here) nor in BRIDGE_MEDIA_ALLOWED_HOSTS: taken (so Chatwoot does
  // not retry), and then nothing fetched from there and nothing sent on WhatsApp.
  const servers = useInternalServers();

  interface ReplyContext extends Context {
    /** The agent's reply in Chatwoot the forged webhook names, once made. */
    reply?: { conversationId: number; messageId: number };
  }
  /**
   * A real conversation and an agent's reply in it (its own webhook sent unsigned, so refused), then
   * a signed webhook of that reply whose attachment is at `address`.
   */
  const replyWithAttachmentAt = (address: () => string) => async (c: ReplyContext): Promise<RawRequest> => {
    const sut = system();
    await sut.wpp.receive({ from: c.phone, body: 'Olá, preciso de ajuda' });
    await waitForIncoming(sut, c.phone, 'Olá, preciso de ajuda');
    const conversationId = chatwootView(sut).conversationIdOf(c.phone);
    sut.chatwoot!.signWebhooks = false;
    let messageId: number;
    try {
      ({ messageId } = await sut.chatwoot!.agentReply(conversationId, { content: 'Segue o documento' }));
      await sut.chatwoot!.webhooksIdle();
    } finally {
      sut.chatwoot!.signWebhooks = true;
    }
    await chatAtRest(sut, c.chatId);
    c.reply = { conversationId, messageId };
    return chatwoot(messageCreated(c, {
      id: messageId, content: 'Segue o documento', conversation: { id: conversationId, contact_inbox: { source_id: c.chatId } },
      attachments: [{ data_url: address(), file_type: 'file', content_type: 'text/plain', file_size: 40 }],
    }));
  };
  const attachmentRows: Row<ReplyContext>[] = [
    { route: cwRoute, name: "signed, an agent's attachment at a host no setting allows (an internal server)", request: replyWithAttachmentAt(() => `http://localhost:${servers.internal().port}/admin/secret.txt`), expect: { status: 200, answer: { ok: true, forwarded: true } } },
    { route: cwRoute, name: "signed, an agent's attachment at the cloud metadata address", request: replyWithAttachmentAt(() => 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'), expect: { status: 200, answer: { ok: true, forwarded: true } } },
    { route: cwRoute, name: "signed, an agent's attachment at Chatwoot's host redirecting to a host no setting allows", request: replyWithAttachmentAt(() => `http://127.0.0.1:${servers.redirector().port}/rails/active_storage/blobs/redirect/x/doc.txt`), expect: { status: 200, answer: { ok: true, forwarded: true } } },
    { route: cwRoute, name: "signed, an agent's attachment at an internal server with Chatwoot's host as its user name", request: replyWithAttachmentAt(() => `http://127.0.0.1@localhost:${servers.internal().port}/admin/secret.txt`), expect: { status: 200, answer: { ok: true, forwarded: true } } },
  ];
  runRows<ReplyContext>(attachmentRows, {
    baseUrl: () => system().system.apiUrl!,
    audience: () => 'operator',
    context: newContext,
    probes: (c) => ({
      'requests to the internal server': async () => servers.internal().requests.length,
      "WhatsApp messages sent to the row's phone": async () => system().wpp.sent.filter((message) => message.phone === c.phone).length,
      'stored files (chat media)': async () => (await system().storedFiles()).sort(),
    }),
    // Handled once the chat is at rest; the reply is then marked failed, with a note telling the agent why.
    settle: async (c) => {
      const sut = system();
      await chatAtRest(sut, c.chatId, 'the forged reply handled');
      const messages = () => sut.chatwoot!.messages(c.reply!.conversationId);
      await eventually(async () => (messages().find((message) => message.id === c.reply!.messageId)?.status === 'failed' ? true : undefined), 10_000, 'the reply marked failed');
      await eventually(async () => messages().find((message) => message.private && /is not (an )?allowed/.test(message.content ?? '')), 10_000, "the agent's note");
      await webhooksAnswered(sut);
    },
    secrets: () => [webhookToken(), secret(), reviewerToken, system().wpp.secretKey, system().chatwoot!.apiToken],
  });

  it('relays a file whose name carries CR/LF and a header as one attachment, the name escaped and nothing injected', async () => {
    const sut = system();
    const context = newContext();
    const pdf = await makePdf({ pages: 1 });
    const filename = 'carta.pdf"\r\nContent-Type: text/html\r\n\r\n<script>alert(1)</script>';
    const message = onmessage(context, { type: 'document', body: pdf.toString('base64'), size: pdf.length, mimetype: 'application/pdf', filename });
    const answer = await send(sut.system.apiUrl!, wpp(message));
    assert.deepEqual(answer.body, { ok: true, relayed: true });
    await chatAtRest(sut, context.chatId);
    const attachments = chatwootView(sut).conversationsOf(context.phone).flatMap((conversation) => sut.chatwoot!.messages(conversation.id).flatMap((record) => record.attachments));
    assert.equal(attachments.length, 1, 'one attachment');
    assert.equal(attachments[0]!.contentType, 'application/pdf');
    assert.ok(!/[\r\n]/.test(attachments[0]!.filename), `no line break in the stored name: ${JSON.stringify(attachments[0]!.filename)}`);
    assert.ok(attachments[0]!.bytes.equals(pdf), 'the file itself, byte for byte');
  });

  it('the nothing-changed check sees a driver message that is relayed (positive control)', async () => {
    const sut = system();
    const context = newContext();
    const changed = await changedBy(probes(context), async () => {
      assert.equal((await send(sut.system.apiUrl!, wpp(onmessage(context)))).status, 200);
      await waitForIncoming(sut, context.phone, 'Olá, quero informações');
      await chatAtRest(sut, context.chatId);
    });
    for (const probe of ["chat workflows for the row's chat ids", 'Chatwoot contacts, conversations and messages', "relay claims for the row's chat"]) {
      assert.ok(changed.includes(probe), `${probe} changed: ${changed.join(', ')}`);
    }
  });
});

/**
 * A chat whose queue is full (BRIDGE_QUEUE_MAX=10, its least, Chatwoot down so nothing drains): its driver's
 * webhooks are answered 503 with Retry-After (WPPConnect does not retry; polling fetches them once
 * the chat drains), and nothing is added: not to the queue, not a relay claim, not a media file.
 */
describe('security: a full chat refuses its webhooks 503 and takes nothing', () => {
  // The whole describe runs with Chatwoot down (a system of its own): set once started, put back before the stop.
  const system = useTestSystem({ BRIDGE_QUEUE_MAX: '10', BRIDGE_POLLING: 'false' }, { bridge: true }, {
    started: async (sut) => {
      sut.chatwoot!.faults.down = true;
    },
    stopping: async (sut) => {
      sut.chatwoot!.faults.down = false;
    },
  });
  const wpp = (body: unknown): RawRequest => ({ method: 'POST', path: `/webhooks/wppconnect/${system().config.WPPCONNECT_WEBHOOK_TOKEN!}`, body });
  const onmessage = (c: Context, overrides: Record<string, unknown> = {}) => driverMessage(system().wpp.session, c, overrides);

  /** One chat, filled once: messages until the API answers 503 (it sees the chat full within a second of its workflow marking it). */
  let filled: Promise<Context> | undefined;
  const fullChat = () => (filled ??= (async () => {
    const sut = system();
    const c = newContext();
    for (let n = 1; n <= 300; n++) {
      const answer = await send(sut.system.apiUrl!, wpp(onmessage(c, { body: `mensagem ${n}` })));
      if (answer.status === 503) return c;
      assert.equal(answer.status, 200, answer.text);
      await chatState(sut, c.chatId); // one query per message: paces the loop by the workflow, not by a clock
    }
    throw new Error('the chat was never refused as full');
  })());

  const route = 'POST /webhooks/wppconnect/:token';
  const full = { status: 503, errorMatches: /^This chat's queue is full; retry later$/, retryAfter: true } as const;
  const rows: Row<Context>[] = [
    { route, name: "a driver's text to a chat whose queue is full", request: (c) => wpp(onmessage(c, { body: 'mais uma' })), expect: full },
    {
      route, name: "a driver's document to a chat whose queue is full (refused before its file is stored)",
      request: async (c) => {
        const pdf = await makePdf({ pages: 1 });
        return wpp(onmessage(c, { type: 'document', body: pdf.toString('base64'), size: pdf.length, mimetype: 'application/pdf', filename: 'carta.pdf' }));
      },
      expect: full,
    },
  ];
  runRows(rows, {
    baseUrl: () => system().system.apiUrl!,
    audience: () => 'operator',
    context: fullChat,
    probes: (c) => ({
      "the chat's queue": async () => {
        const state = await chatState(system(), c.chatId);
        return { queued: state?.queued, handled: state?.handled };
      },
      "relay claims for the chat": async () => (await system().system.db.query<{ n: number }>('SELECT count(*)::int AS n FROM bridge_messages WHERE chat_id = $1', [system().system.personal.index('chat', c.chatId)])).rows[0]!.n,
      'stored files (chat media)': async () => (await system().storedFiles()).sort(),
      'WhatsApp messages sent': async () => system().wpp.sent.length,
    }),
    secrets: () => [system().config.WPPCONNECT_WEBHOOK_TOKEN!, system().wpp.secretKey],
  });
});

/** What must not change when a webhook is refused: chats, messages either way, media files. */
const bridgeProbes = (system: () => TestSystem, c: Context) => ({
  "a chat workflow for the row's chat": () => chatWorkflowExists(system(), c.chatId),
  'chat workflows on the bridge queue': () => system().workflowCount(system().config.BRIDGE_TASK_QUEUE),
  'stored files': async () => (await system().storedFiles()).sort(),
  'WhatsApp messages sent': async () => system().wpp.sent.length,
  'Chatwoot messages': async () => system().chatwoot!.conversations().reduce((n, conversation) => n + system().chatwoot!.messages(conversation.id).length, 0),
});

/**
 * Wrong credentials are counted per address (RATE_LIMIT_PER_ADDRESS, here 5 a minute, one bucket for
 * every route): past the limit, 429 with Retry-After, before anything is read. A system of its own,
 * so the rows' own 401s fill its bucket and no other test's.
 */
describe('security: wrong credentials from one address are limited (429 with Retry-After) and change nothing', () => {
  const intakeSecret = `intake-secret-${randomUUID()}`;
  const system = useTestSystem({ RATE_LIMIT_PER_ADDRESS: '5', INTAKE_SHARED_SECRET: intakeSecret }, { bridge: true });
  /** Sends `request` until the address is refused 429 (at most 10 times): the row's request is then the one past the limit. */
  const pastTheLimit = (request: (c: Context) => RawRequest) => async (c: Context): Promise<RawRequest> => {
    for (let n = 0; n < 10; n++) {
      const answer = await send(system().system.apiUrl!, request(c));
      if (answer.status === 429) return request(c);
      assert.equal(answer.status, 401, answer.text);
    }
    throw new Error('never limited');
  };
  const wrongWppToken = (c: Context): RawRequest => ({ method: 'POST', path: '/webhooks/wppconnect/not-the-token', body: driverMessage(system().wpp.session, c) });
  const forgedSignature = (c: Context): RawRequest => {
    const raw = JSON.stringify({ event: 'message_created', id: 1, content: 'Olá', message_type: 'outgoing', private: false, inbox: { id: system().chatwoot!.inboxId }, attachments: [], conversation: { id: 4242, contact_inbox: { source_id: c.chatId } } });
    return { method: 'POST', path: '/webhooks/chatwoot', headers: signChatwootWebhook('not-the-secret', raw, now()), body: raw };
  };
  const wrongIntakeToken = (): RawRequest => ({ method: 'POST', path: '/drivers/register-typebot/', headers: { 'x-intake-token': `${intakeSecret}x` }, body: { nif: '123456789' } });
  const limited = /^Too many requests from this address; retry later$/;
  const rows: Row<Context>[] = [
    { route: 'POST /webhooks/wppconnect/:token', name: 'a wrong token past the limit', request: pastTheLimit(wrongWppToken), expect: { status: 429, errorMatches: limited, retryAfter: true } },
    { route: 'POST /webhooks/chatwoot', name: 'a forged signature past the limit', request: pastTheLimit(forgedSignature), expect: { status: 429, errorMatches: limited, retryAfter: true } },
    { route: 'POST /drivers/register-typebot/', name: 'a wrong X-Intake-Token past the limit', request: pastTheLimit(wrongIntakeToken), expect: { status: 429, errorMatches: new RegExp(`^${requestErrors.tooManyRequests.replace(/[.()?]/g, '\\$&')}$`), retryAfter: true } },
    { route: 'POST /webhooks/wppconnect/:token', name: 'a wrong token past the limit, declaring a 50 MB body and sending 1 KB', request: pastTheLimit(() => ({ method: 'POST', path: '/webhooks/wppconnect/not-the-token', headers: { 'content-length': String(50 * 1024 * 1024) }, body: ' '.repeat(1024) })), expect: { status: 429, errorMatches: limited, retryAfter: true } },
  ];
  runRows(rows, {
    baseUrl: () => system().system.apiUrl!,
    audience: (row) => (row.route.startsWith('POST /drivers/') ? 'driver' : 'operator'),
    context: newContext,
    probes: (c) => ({ ...bridgeProbes(system, c), 'registration workflows': () => system().workflowCount() }),
    settle: async () => webhooksAnswered(system()),
    secrets: () => [intakeSecret, system().config.WPPCONNECT_WEBHOOK_TOKEN!, system().chatwoot!.webhookSecret],
  });

  it('still takes the right credentials from the limited address (only the wrong ones are counted)', async () => {
    const sut = system();
    const c = newContext();
    assert.equal((await send(sut.system.apiUrl!, wrongWppToken(c))).status, 429, 'the address is past the limit');
    const answer = await send(sut.system.apiUrl!, { method: 'POST', path: `/webhooks/wppconnect/${sut.config.WPPCONNECT_WEBHOOK_TOKEN!}`, body: driverMessage(sut.wpp.session, c) });
    assert.deepEqual(answer.body, { ok: true, relayed: true });
  });
});

/**
 * Chatwoot without signatures (CHATWOOT_VERIFY_SIGNATURE=false) posts to /webhooks/chatwoot/<token>:
 * the token is checked before the body is read, and no other address or credential is taken.
 */
describe('security: Chatwoot without signatures is taken only at its token URL', () => {
  const chatwootToken = `chatwoot-token-${randomUUID()}`;
  const system = useTestSystem({ CHATWOOT_VERIFY_SIGNATURE: 'false', CHATWOOT_WEBHOOK_TOKEN: chatwootToken }, { bridge: true });
  const reply = (c: Context) => JSON.stringify({
    event: 'message_created', id: randomInt(1_000_000, 2_000_000_000), content: 'Bom dia!', message_type: 'outgoing', private: false, source_id: null,
    inbox: { id: system().chatwoot!.inboxId }, attachments: [], conversation: { id: randomInt(100_000, 999_999), contact_inbox: { source_id: c.chatId } },
  });
  const post = (path: string, headers: Record<string, string> = {}) => (c: Context): RawRequest => ({ method: 'POST', path, headers, body: reply(c) });
  const route = 'POST /webhooks/chatwoot/:token';
  const unknownToken = { status: 401, errorMatches: /^Unknown webhook token$/ } as const;
  const useTheTokenUrl = { status: 401, errorMatches: /^Webhook signatures are not configured; use the token URL$/ } as const;
  const rows: Row<Context>[] = [
    { route: 'POST /webhooks/chatwoot', name: 'no token (the signed address, signatures off)', request: post('/webhooks/chatwoot'), expect: useTheTokenUrl },
    { route: 'POST /webhooks/chatwoot', name: 'no token, validly signed with the webhook secret', request: (c) => { const raw = reply(c); return { method: 'POST', path: '/webhooks/chatwoot', headers: signChatwootWebhook(system().chatwoot!.webhookSecret, raw, now()), body: raw }; }, expect: useTheTokenUrl },
    { route: 'POST /webhooks/chatwoot', name: 'the token in the query string instead of the path', request: post(`/webhooks/chatwoot?token=${chatwootToken}`), expect: useTheTokenUrl },
    { route, name: 'a wrong token', request: post(`/webhooks/chatwoot/${randomUUID()}`), expect: unknownToken },
    { route, name: 'the token plus one character', request: post(`/webhooks/chatwoot/${chatwootToken}x`), expect: unknownToken },
    { route, name: 'the token minus its last character', request: post(`/webhooks/chatwoot/${chatwootToken.slice(0, -1)}`), expect: unknownToken },
    { route, name: 'the token with an encoded NUL after it', request: post(`/webhooks/chatwoot/${chatwootToken}%00`), expect: unknownToken },
    { route, name: "WPPConnect's webhook token (another credential) as the token", request: (c) => post(`/webhooks/chatwoot/${system().config.WPPCONNECT_WEBHOOK_TOKEN!}`)(c), expect: unknownToken },
    { route, name: 'a wrong token, declaring a 50 MB body and sending 1 KB (answered without reading it)', request: () => ({ method: 'POST', path: '/webhooks/chatwoot/not-the-token', headers: { 'content-length': String(50 * 1024 * 1024) }, body: ' '.repeat(1024) }), expect: unknownToken },
  ];
  runRows(rows, {
    baseUrl: () => system().system.apiUrl!,
    audience: () => 'operator',
    context: newContext,
    probes: (c) => bridgeProbes(system, c),
    settle: async () => webhooksAnswered(system()),
    secrets: () => [chatwootToken, system().chatwoot!.webhookSecret, system().config.WPPCONNECT_WEBHOOK_TOKEN!],
  });

  it("the nothing-changed check sees an agent's reply Chatwoot posts to the token URL (positive control)", async () => {
    const sut = system();
    const c = newContext();
    await sut.wpp.receive({ from: c.phone, body: 'Olá' });
    await waitForIncoming(sut, c.phone, 'Olá');
    await chatAtRest(sut, c.chatId);
    const changed = await changedBy(bridgeProbes(system, c), async () => {
      await sut.chatwoot!.agentReply(chatwootView(sut).conversationIdOf(c.phone), { content: 'Bom dia!' });
      await sut.chatwoot!.webhooksIdle();
      await eventually(async () => (sut.wpp.sent.some((message) => message.phone === c.phone) ? true : undefined), 15_000, 'the reply on WhatsApp');
    });
    assert.ok(changed.includes('WhatsApp messages sent'), `changed: ${changed.join(', ')}`);
  });
});
