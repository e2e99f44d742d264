/**
 * parseWppConnectWebhook on payloads shaped exactly as CONTRACTS.md §2.5 shows them
 * (pure: no server involved).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { isRelayable, undecryptedWaitSeconds } from '../../integrations/wppconnect/chat-event.ts';
import { parseWppConnectWebhook } from '../../integrations/wppconnect/webhook.ts';
import { AppError, ErrorType } from '../../domain/errors.ts';

const jpeg = randomBytes(183422);
const preview = randomBytes(600).toString('base64');

/** The contract's onmessage example; `body` is the placeholder's meaning: the JPEG, in base64. */
const onmessage = (body: string): Record<string, unknown> => ({
  event: 'onmessage',
  session: 'bridge',
  id: 'false_351912345678@c.us_3EB0A1B2C3D4E5F6',
  type: 'image',
  body,
  caption: 'Carta de condução (frente)',
  mimetype: 'image/jpeg',
  size: 183422,
  from: '351912345678@c.us',
  to: '351930000000@c.us',
  author: null,
  chatId: '351912345678@c.us',
  fromMe: false,
  t: 1781700300,
  timestamp: 1781700300,
  notifyName: 'Rui',
  isGroupMsg: false,
  isMedia: true,
  isMMS: true,
  isNotification: false,
  isForwarded: false,
  ack: 1,
  quotedMsgId: 'true_351912345678@c.us_3EB0FFEE00112233',
  quotedParticipant: '351930000000@c.us',
  mentionedJidList: [],
  sender: {
    id: '351912345678@c.us',
    pushname: 'Rui',
    name: null,
    shortName: null,
    formattedName: '+351 912 345 678',
    isMe: false,
    isMyContact: false,
    isUser: true,
    isWAContact: true,
    profilePicThumbObj: {},
    msgs: null,
  },
  mediaData: { type: 'image', mediaStage: 'RESOLVED' },
  content: preview,
});

function malformedFields(body: unknown): Record<string, string> {
  try {
    parseWppConnectWebhook(body);
  } catch (error) {
    assert.ok(error instanceof AppError, 'expected an AppError');
    assert.equal(error.type, ErrorType.MalformedPayload);
    assert.equal(error.status, 400);
    return error.fields;
  }
  assert.fail('expected the payload to be refused');
}

test('an onmessage image with autoDownload: the message, its caption, quote and sender, and the whole file', () => {
  const parsed = parseWppConnectWebhook(onmessage(jpeg.toString('base64')));
  assert.equal(parsed.kind, 'message');
  if (parsed.kind !== 'message') return;
  assert.equal(parsed.event, 'onmessage');
  assert.equal(parsed.session, 'bridge');
  const { media, ...message } = parsed.message;
  assert.deepEqual(message, {
    id: 'false_351912345678@c.us_3EB0A1B2C3D4E5F6',
    fromMe: false,
    body: '',
    timestamp: 1781700300,
    type: 'image',
    from: '351912345678@c.us',
    to: '351930000000@c.us',
    chatId: '351912345678@c.us',
    isGroupMsg: false,
    caption: 'Carta de condução (frente)',
    mimetype: 'image/jpeg',
    size: 183422,
    hasMedia: true,
    quotedMsgId: 'true_351912345678@c.us_3EB0FFEE00112233',
    pushname: 'Rui',
    notifyName: 'Rui',
  });
  assert.equal(media?.mimetype, 'image/jpeg');
  assert.ok(Buffer.from(media?.base64 ?? '', 'base64').equals(jpeg));
});

test('an onmessage whose body is still the preview (autoDownload off or failed) has no media: download it', () => {
  const parsed = parseWppConnectWebhook(onmessage(preview));
  assert.ok(parsed.kind === 'message');
  assert.equal(parsed.message.media, undefined);
  assert.equal(parsed.message.hasMedia, true);
  const withoutSize = { ...onmessage(preview), size: undefined };
  const again = parseWppConnectWebhook(withoutSize);
  assert.ok(again.kind === 'message' && again.message.media === undefined, 'body equal to content: a preview');
  const full = parseWppConnectWebhook({ ...onmessage(jpeg.toString('base64')), size: undefined });
  assert.ok(full.kind === 'message' && full.message.media !== undefined, 'body different from content: the file');
});

test('a text message keeps its body as text, and a Wid chatId becomes its serialized string', () => {
  const parsed = parseWppConnectWebhook({
    ...onmessage('QUFB'),
    type: 'chat',
    body: 'QUFB',
    mimetype: undefined,
    size: undefined,
    chatId: { server: 'c.us', user: '351912345678', _serialized: '351912345678@c.us' },
  });
  assert.ok(parsed.kind === 'message');
  assert.deepEqual([parsed.message.body, parsed.message.chatId, parsed.message.media], ['QUFB', '351912345678@c.us', undefined]);
});

test('onack: the id object gives the message id, the chat and the direction', () => {
  const parsed = parseWppConnectWebhook({
    event: 'onack',
    session: 'bridge',
    id: { fromMe: true, remote: '351912345678@c.us', id: '3EB0C0FFEE', _serialized: 'true_351912345678@c.us_3EB0C0FFEE' },
    ack: 3,
    from: '351930000000@c.us',
    to: '351912345678@c.us',
    type: 'chat',
    body: 'Olá Rui!',
    t: 1781700400,
  });
  assert.deepEqual(parsed, {
    kind: 'ack',
    session: 'bridge',
    messageId: 'true_351912345678@c.us_3EB0C0FFEE',
    chatId: '351912345678@c.us',
    fromMe: true,
    ack: 3,
    timestamp: 1781700400,
  });
});

test('session events: status-find carries its status, closesession and logoutsession their own name', () => {
  assert.deepEqual(parseWppConnectWebhook({ event: 'status-find', session: 'bridge', status: 'inChat' }), {
    kind: 'session',
    event: 'status-find',
    session: 'bridge',
    status: 'inChat',
  });
  const closed = { event: 'closesession', session: 'bridge', message: 'Session: bridge disconnected', connected: false };
  assert.deepEqual(parseWppConnectWebhook(closed), { kind: 'session', event: 'closesession', session: 'bridge', status: 'closesession' });
});

test('other events are ignored, by name', () => {
  const presence = {
    event: 'onpresencechanged',
    session: 'bridge',
    id: '351912345678@c.us',
    isOnline: true,
    isGroup: false,
    isUser: true,
    isContact: false,
    state: 'composing',
    t: 1781700500123,
    participants: [],
  };
  assert.deepEqual(parseWppConnectWebhook(presence), { kind: 'ignored', event: 'onpresencechanged' });
});

test('a new QR code is a session event (the session health looks at once; the PNG is read from status-session)', () => {
  assert.deepEqual(parseWppConnectWebhook({ event: 'qrcode', session: 'bridge', qrcode: 'iVBOR', urlcode: '2@x' }), {
    kind: 'session',
    event: 'qrcode',
    session: 'bridge',
    status: 'qrcode',
  });
});

test('a known event missing what the bridge needs is a MalformedPayload naming the fields', () => {
  const { from: _from, ...withoutFrom } = onmessage('QUFB');
  assert.ok('from' in malformedFields(withoutFrom));
  assert.ok('id' in malformedFields({ ...onmessage('QUFB'), id: { _serialized: 'x' } }), 'onmessage ids are strings');
  assert.ok('ack' in malformedFields({ event: 'onack', session: 'bridge', id: 'true_1@c.us_3EB0', ack: 'read' }));
  assert.ok('status' in malformedFields({ event: 'status-find', session: 'bridge' }));
  assert.ok('event' in malformedFields({ session: 'bridge' }));
  assert.ok('(body)' in malformedFields('not json'));
});

test('refuses a media type that is none (CR/LF, a header after it), and keeps one with parameters', () => {
  assert.ok('mimetype' in malformedFields({ ...onmessage(jpeg.toString('base64')), mimetype: 'text/html\r\nX-Injected: 1' }));
  assert.ok('mimetype' in malformedFields({ ...onmessage(jpeg.toString('base64')), mimetype: 'image/jpeg; name="x"\r\nX-Injected: 1' }));
  const voice = parseWppConnectWebhook({ ...onmessage(jpeg.toString('base64')), type: 'ptt', mimetype: 'audio/ogg; codecs=opus' });
  assert.equal(voice.kind === 'message' && voice.message.mimetype, 'audio/ogg; codecs=opus');
});

test("onreactionmessage: the message reacted to, the emoji ('' takes it back) and who reacted, by the reaction's own id", () => {
  const reaction = (id: unknown, reactionText: unknown) => parseWppConnectWebhook({
    event: 'onreactionmessage', session: 'bridge', id, msgId: 'true_351912345678@c.us_3EB0FFEE00112233',
    reactionText, read: false, orphan: 0, orphanReason: null, timestamp: 1781700500123,
  });
  assert.deepEqual(reaction('false_351912345678@c.us_3EB0AA', '👍'), {
    kind: 'reaction', session: 'bridge', chatId: '351912345678@c.us', reactionId: 'false_351912345678@c.us_3EB0AA',
    messageId: 'true_351912345678@c.us_3EB0FFEE00112233', emoji: '👍', fromMe: false, at: 1781700500123,
  });
  const removed = reaction({ fromMe: true, remote: '351912345678@c.us', id: '3EB0BB', _serialized: 'true_351912345678@c.us_3EB0BB' }, '');
  assert.deepEqual(removed.kind === 'reaction' && [removed.emoji, removed.fromMe], ['', true]);
  assert.throws(() => parseWppConnectWebhook({ event: 'onreactionmessage', session: 'bridge', id: 'x' }), (error: unknown) => error instanceof AppError && error.type === ErrorType.MalformedPayload);
});

test('onrevokedmessage: the message deleted for everyone (refId), and whether it was one of the company\'s', () => {
  const revoked = (refId: string) => parseWppConnectWebhook({
    event: 'onrevokedmessage', session: 'bridge', from: '351912345678@c.us', to: '351930000000@c.us', id: 'false_351912345678@c.us_3EB0CC', refId,
  });
  assert.deepEqual(revoked('false_351912345678@c.us_3EB0A1B2C3D4E5F6'), {
    kind: 'revoke', session: 'bridge', chatId: '351912345678@c.us', messageId: 'false_351912345678@c.us_3EB0A1B2C3D4E5F6', fromMe: false,
  });
  const own = revoked('true_351912345678@c.us_3EB0FFEE00112233');
  assert.equal(own.kind === 'revoke' && own.fromMe, true);
});

test("isRelayable: the driver's messages, not WhatsApp's notices, and an undecrypted one only once it has waited for polling", () => {
  const now = 1_781_700_000_000;
  const message = (type: string, secondsAgo = 0) => ({ fromMe: false, chatId: '351912345678@c.us', isGroupMsg: false, type, timestamp: now / 1000 - secondsAgo });
  assert.equal(isRelayable(message('chat'), false, now), true);
  for (const notice of ['e2e_notification', 'gp2', 'call_log', 'notification_template']) assert.equal(isRelayable(message(notice), false, now), false, notice);
  assert.equal(isRelayable(message('ciphertext', 60), false, now), false, 'a minute old: polling may still bring it');
  assert.equal(isRelayable(message('ciphertext', undecryptedWaitSeconds + 1), false, now), true, 'past the wait: the agent learns one came');
  assert.equal(isRelayable({ ...message('chat'), fromMe: true }, false, now), false);
  assert.equal(isRelayable({ ...message('chat'), isGroupMsg: true }, false, now), false);
  assert.equal(isRelayable({ ...message('chat'), isGroupMsg: true }, true, now), true);
});
