/**
 * Sending files (messageController.sendFile behind send-image, send-file and
 * send-file-base64; sendVoice and sendVoice64). JSON bodies only: the multipart
 * `file` upload of send-image and send-file is not simulated (Fastify answers 415).
 * Sources: `base64` must be a data URL; `path` (a server path or URL) cannot be read
 * here and fails like an unreadable path does (500), except a data URL in
 * send-voice's `path`. Each `response` item is only `{ack, id}`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AddressFlags } from '../addressing.ts';
import { contactToArray } from '../addressing.ts';
import { verifyToken } from '../auth.ts';
import type { MediaFile } from '../media.ts';
import { detectType, parseDataUrl } from '../media.ts';
import type { OutgoingInput } from '../outgoing.ts';
import { prepareSend, SEND_FAILED, SendRefused, sendTo } from '../outgoing.ts';
import type { SimulatorState } from '../state.ts';
import { statusConnection } from '../status-connection.ts';
import type { WebhookSender } from '../webhooks.ts';

type Body = AddressFlags & Record<string, unknown> & { options?: Record<string, unknown> | null };
type Send = { Params: { session: string }; Body: Body | undefined };

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

export function mediaSendRoutes(app: FastifyInstance, state: SimulatorState, webhooks: WebhookSender): void {
  const preHandler = [verifyToken(state), statusConnection(state)];

  function send(reply: FastifyReply, body: Body, input: Omit<OutgoingInput, 'media'>, media: MediaFile | null) {
    const recipients = contactToArray(body.phone, body);
    // wa-js refuses an empty file, and a source the server could not read throws the same way.
    if (media === null || media.bytes.length === 0) return reply.code(500).send(SEND_FAILED);
    if (recipients.length === 0) {
      return reply.code(400).type('application/json; charset=utf-8').send(JSON.stringify('Error sending message'));
    }
    try {
      const full = { ...input, media };
      const quoted = prepareSend(state, recipients, full);
      const response = recipients.map((chatId) => {
        const message = sendTo(state, webhooks, chatId, full, quoted);
        return { ack: message.ack, id: message.id };
      });
      return reply.code(201).send({ status: 'success', response, mapper: 'return' });
    } catch (error) {
      if (error instanceof SendRefused) return reply.code(500).send(SEND_FAILED);
      throw error;
    }
  }

  const sendFile = (request: { body: Body | undefined }, reply: FastifyReply) => {
    const body = request.body ?? {};
    if (!body.path && !body.base64) return reply.code(401).send({ message: 'Sending the file is mandatory' });
    // Precedence path > base64; options spread last, so options.quotedMsg wins over quotedMessageId.
    const media = body.path ? null : parseDataUrl(body.base64);
    const filename = typeof body.filename === 'string' && body.filename !== '' ? body.filename : 'file';
    const quotedMsgId = body.options?.quotedMsg ?? body.quotedMessageId;
    const input = { type: media === null ? 'document' : detectType(media.mimetype), text: text(body.message) || text(body.caption), quotedMsgId };
    return send(reply, body, input, media === null ? null : { ...media, filename });
  };

  for (const route of ['send-image', 'send-file', 'send-file-base64']) {
    app.post<Send>(`/api/:session/${route}`, { preHandler }, sendFile);
  }

  const voice = (source: unknown) => {
    const media = parseDataUrl(source);
    // wppconnect's sendPtt refuses anything that is not audio.
    return media !== null && media.mimetype.startsWith('audio/') ? media : null;
  };

  app.post<Send>('/api/:session/send-voice', { preHandler }, (request, reply) => {
    const body = request.body ?? {};
    return send(reply, body, { type: 'ptt', text: '', quotedMsgId: body.quotedMessageId }, voice(body.path));
  });

  app.post<Send>('/api/:session/send-voice-base64', { preHandler }, (request, reply) => {
    const body = request.body ?? {};
    return send(reply, body, { type: 'ptt', text: '', quotedMsgId: body.quotedMessageId }, voice(body.base64Ptt));
  });
}
