/**
 * The bridge sandbox's control surface: `npm start` runs both simulators in its own process, so a
 * newcomer plays the driver and the agent, on the web page at `GET /` (scripts/sandbox-page/) or
 * through these JSON routes (127.0.0.1 only):
 *   POST /driver-says {"phone", "text", "name"?}            a WhatsApp message from a driver's phone
 *   POST /driver-sends {"phone", "file"}                     a sample photo ("photo") or PDF ("pdf") from a driver's phone
 *   POST /driver-uploads {"phone", "filename", "data"}       the driver's own file (base64, up to 16 MB)
 *   POST /driver-reads {"phone"}                             the driver opens the chat: what was sent to them is read (blue ticks)
 *   POST /new-driver {"history"?}                            a new driver's phone number; with history, a chat they had with the company's phone over the last days (imported into Chatwoot when they write)
 *   POST /agent-says {"conversationId", "text", "private"?}  an agent's reply (or private note) in the Chatwoot inbox
 *   POST /agent-labels {"conversationId", "labels"}          an agent adds labels to a conversation
 *   POST /agent-assigns {"conversationId"}                   the agent (Ana) takes the conversation
 *   POST /agent-resolves {"conversationId"}                  the agent resolves it
 *   GET  /chatwoot                                           the inbox: conversations, their labels, assignee and messages
 *   GET  /chatwoot/attachments/:id                           a file in a conversation
 *   GET  /whatsapp                                           the drivers' phones WhatsApp has a chat with
 *   GET  /whatsapp/:phone                                    what the driver received, and their whole chat with acks
 *   GET  /events                                             server-sent events: something changed
 */
import Fastify from 'fastify';
import { fileTypeFromBuffer } from 'file-type';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { registerErrorHandler } from '../api/error-handler.ts';
import { AppError, ErrorType } from '../domain/errors.ts';
import type { ChatwootSimulator } from '../test/simulators/chatwoot/index.ts';
import type { WppConnectSimulator } from '../test/simulators/wppconnect/index.ts';
import { makeJpeg, makePdf } from '../test/fixtures/documents.ts';
import { newDriverPhone } from '../test/support/bridge-views.ts';
import { ChangeFeed } from './lib/sandbox-events.ts';
import { registerSandboxPage, type SandboxLinks } from './lib/sandbox-page.ts';
import { agentTypingIn, attachmentOf, driverPhones, inboxView, phoneChatView, receivedView, simulatorsFingerprint } from './lib/sandbox-views.ts';

export type { InboxConversationView, InboxFileView, InboxMessageView, PhoneMessageView, WhatsAppMessageView } from './lib/sandbox-views.ts';
export type { SandboxLinks } from './lib/sandbox-page.ts';

/** International, with or without "+", spaces and hyphens ignored; yields WhatsApp's digits. */
const phone = z
  .string()
  .transform((text) => text.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\+?[1-9]\d{7,14}$/, 'phone must be an international number such as +351912345678'))
  .transform((text) => text.replace(/^\+/, ''));
const text = z.string().trim().min(1, 'text must not be empty').max(4096);
const conversationId = z.number().int().positive();
/** As Chatwoot's Label model takes a title: letters, digits, "-" and "_", stored in lower case. */
const label = z.string().trim().min(1).max(255).regex(/^[\p{L}\p{N}_-]+$/u, 'a label is letters, digits, "-" and "_"').transform((title) => title.toLowerCase());

/** What a driver may upload from the page; WhatsApp's own limit for photos and videos. */
const maxUploadBytes = 16 * 1024 * 1024;
const maxUploadBase64 = Math.ceil(maxUploadBytes / 3) * 4;
const uploadBodyLimit = maxUploadBase64 + 64 * 1024;

const driverSaysBody = z.object({ phone, text, name: z.string().trim().min(1).max(100).optional() });
const driverSendsBody = z.object({ phone, file: z.enum(['photo', 'pdf'], { message: 'file must be "photo" or "pdf"' }) });
const driverUploadsBody = z.object({
  phone,
  // A name as a phone shows it: no folders, no control characters.
  filename: z.string().trim().min(1).max(255).regex(/^[^/\\\p{Cc}]+$/u, 'filename must be a plain file name'),
  data: z.base64('data must be the file in base64').min(1, 'data must not be empty').max(maxUploadBase64, `the file must be ${maxUploadBytes / 1024 / 1024} MB or less`),
});
const driverReadsBody = z.object({ phone });
const newDriverBody = z.object({ history: z.boolean().optional() }).nullish();

/** A driver's chat with the company's phone before the bridge (`true`: typed on the company's phone), for "Novo motorista com histórico". */
const pastChat: ReadonlyArray<readonly [boolean, string]> = [
  [false, 'Boa tarde, vi o anúncio para estafetas. Ainda estão a recrutar?'],
  [true, 'Boa tarde! Sim, estamos. Tem carta de condução de ligeiros?'],
  [false, 'Tenho, há 6 anos.'],
  [true, 'Ótimo. Em que zona prefere trabalhar?'],
  [false, 'Porto e Matosinhos.'],
  [true, 'Quando puder, escreva aqui «quero ser motorista» e o nosso assistente trata do registo.'],
  [false, 'Obrigado, faço isso amanhã.'],
];
const agentSaysBody = z.object({ conversationId, text, private: z.boolean().optional() });
const agentLabelsBody = z.object({ conversationId, labels: z.array(label).min(1).max(20) });
const conversationBody = z.object({ conversationId });
const whatsappMessageId = z.string().min(1).max(200);
const driverReactsBody = z.object({ phone, messageId: whatsappMessageId, emoji: z.string().max(16) });
const driverDeletesBody = z.object({ phone, messageId: whatsappMessageId });
const agentMessageBody = z.object({ conversationId, messageId: z.number().int().positive() });
const agentTypingBody = z.object({ conversationId, typing: z.boolean() });

/** Types a browser may show inline; anything else is downloaded. */
const inlineTypes = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'application/pdf']);

export interface SandboxConsole {
  url: string;
  close(): Promise<void>;
}

export async function startSandboxConsole(options: {
  wpp: WppConnectSimulator;
  chatwoot: ChatwootSimulator;
  port?: number;
  /** Where the page's header links go. */
  links?: SandboxLinks;
}): Promise<SandboxConsole> {
  const { wpp, chatwoot } = options;
  const app = Fastify({ logger: { level: 'warn' } }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  registerSandboxPage(app, { links: options.links ?? {}, feed: new ChangeFeed(() => simulatorsFingerprint(wpp, chatwoot)) });

  const requireConversation = (id: number) => {
    if (!chatwoot.conversations().some((conversation) => conversation.id === id)) {
      throw new AppError(ErrorType.NotFound, `No conversation ${id} in the Chatwoot simulator; GET /chatwoot lists them`);
    }
    return id;
  };

  // --- The driver's phone ------------------------------------------------------------------------

  app.post('/driver-says', { schema: { body: driverSaysBody } }, async (request, reply) => {
    const { phone: from, text: body, name } = request.body;
    const { id } = await wpp.receive({ from, body, ...(name === undefined ? {} : { pushname: name }) });
    return reply.status(202).send({ whatsappMessageId: id, chat: `${from}@c.us` });
  });

  // What the registration bot asks for: a photo of the driving licence, a PDF proof of address.
  app.post('/driver-sends', { schema: { body: driverSendsBody } }, async (request, reply) => {
    const { phone: from, file } = request.body;
    const media = file === 'photo'
      ? { bytes: await makeJpeg({ width: 1200, height: 760 }), mimetype: 'image/jpeg' }
      : { bytes: await makePdf({ pages: 1 }), mimetype: 'application/pdf', filename: 'comprovativo-morada.pdf' };
    const { id } = await wpp.receive({ from, type: file === 'photo' ? 'image' : 'document', media });
    return reply.status(202).send({ whatsappMessageId: id, chat: `${from}@c.us` });
  });

  // The driver's own file, as their phone sends it: WhatsApp picks the message type from the file's type.
  app.post('/driver-uploads', { bodyLimit: uploadBodyLimit, schema: { body: driverUploadsBody } }, async (request, reply) => {
    const { phone: from, filename, data } = request.body;
    const bytes = Buffer.from(data, 'base64');
    const mimetype = (await fileTypeFromBuffer(bytes))?.mime ?? 'application/octet-stream';
    const { id } = await wpp.receive({ from, media: { bytes, mimetype, filename } });
    return reply.status(202).send({ whatsappMessageId: id, chat: `${from}@c.us`, mimetype });
  });

  app.post('/driver-reads', { schema: { body: driverReadsBody } }, async (request) => {
    const unread = phoneChatView(wpp, request.body.phone).filter((message) => message.direction === 'received' && message.ack < 3);
    for (const message of unread) await wpp.markRead(message.id);
    return { read: unread.length };
  });

  /** A message of the driver's chat (`own`: one they wrote), or a 404 that says where to look. */
  const messageInChat = (digits: string, messageId: string, own: boolean) => {
    const found = phoneChatView(wpp, digits).find((message) => message.id === messageId);
    if (found === undefined || (own && found.direction !== 'sent')) {
      throw new AppError(ErrorType.NotFound, `No ${own ? 'message written by the driver' : 'message'} ${messageId} in this chat; GET /whatsapp/<phone> lists them`);
    }
    return found;
  };

  app.post('/driver-reacts', { schema: { body: driverReactsBody } }, async (request, reply) => {
    const { phone: from, messageId, emoji } = request.body;
    messageInChat(from, messageId, false);
    await wpp.react({ messageId, emoji }).delivered;
    return reply.status(202).send({ reacted: emoji });
  });

  app.post('/driver-deletes', { schema: { body: driverDeletesBody } }, async (request, reply) => {
    const { phone: from, messageId } = request.body;
    if (messageInChat(from, messageId, true).type === 'revoked') return reply.status(200).send({ deleted: true });
    await wpp.revoke(messageId).delivered;
    return reply.status(202).send({ deleted: true });
  });

  app.post('/new-driver', { schema: { body: newDriverBody } }, async (request) => {
    const known = new Set(driverPhones(wpp));
    let candidate = `+${newDriverPhone()}`;
    while (known.has(candidate)) candidate = `+${newDriverPhone()}`;
    if (request.body?.history === true) {
      // Before the bridge: a chat on the company's phone, over the last three days, already read.
      const start = Date.now() - 3 * 86_400_000;
      wpp.history({ chat: candidate.slice(1), messages: pastChat.map(([fromMe, body], index) => ({ fromMe, body, at: new Date(start + index * 3 * 3_600_000) })) });
    }
    return { phone: candidate };
  });

  // --- The agent's inbox -------------------------------------------------------------------------

  app.post('/agent-says', { schema: { body: agentSaysBody } }, async (request, reply) => {
    const { conversationId: id, text: content } = request.body;
    const { messageId } = await chatwoot.agentReply(requireConversation(id), { content, private: request.body.private ?? false });
    return reply.status(202).send({ chatwootMessageId: messageId });
  });

  app.post('/agent-labels', { schema: { body: agentLabelsBody } }, async (request) => {
    const id = requireConversation(request.body.conversationId);
    await chatwoot.addLabels(id, request.body.labels);
    return { labels: chatwoot.labels(id) };
  });

  app.post('/agent-assigns', { schema: { body: conversationBody } }, async (request) => {
    await chatwoot.assign(requireConversation(request.body.conversationId));
    return { assigned: true };
  });

  app.post('/agent-resolves', { schema: { body: conversationBody } }, async (request) => {
    await chatwoot.resolve(requireConversation(request.body.conversationId));
    return { resolved: true };
  });

  /** One of the conversation's messages, or a 404. */
  const requireMessage = (conversationId: number, messageId: number) => {
    if (!chatwoot.messages(requireConversation(conversationId)).some((message) => message.id === messageId)) {
      throw new AppError(ErrorType.NotFound, `No message ${messageId} in conversation ${conversationId}; GET /chatwoot lists them`);
    }
  };

  app.post('/agent-deletes', { schema: { body: agentMessageBody } }, async (request) => {
    requireMessage(request.body.conversationId, request.body.messageId);
    chatwoot.deleteMessage(request.body.conversationId, request.body.messageId);
    return { deleted: true };
  });

  app.post('/agent-retries', { schema: { body: agentMessageBody } }, async (request) => {
    requireMessage(request.body.conversationId, request.body.messageId);
    chatwoot.retryMessage(request.body.conversationId, request.body.messageId);
    return { retried: true };
  });

  app.post('/agent-typing', { schema: { body: agentTypingBody } }, async (request) => {
    chatwoot.agentTyping(requireConversation(request.body.conversationId), request.body.typing);
    return { typing: request.body.typing };
  });

  // --- What each side shows ----------------------------------------------------------------------

  app.get('/chatwoot', async () => ({ conversations: inboxView(chatwoot) }));

  app.get('/chatwoot/attachments/:id', { schema: { params: z.object({ id: z.coerce.number().int().positive() }) } }, async (request, reply) => {
    const attachment = attachmentOf(chatwoot, request.params.id);
    if (attachment === undefined) throw new AppError(ErrorType.NotFound, `No attachment ${request.params.id} in the Chatwoot simulator`);
    const inline = inlineTypes.has(attachment.contentType);
    return reply
      .header('content-type', inline ? attachment.contentType : 'application/octet-stream')
      .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(attachment.filename)}`)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      // A new simulator hands the same ids out again: never keep one.
      .header('cache-control', 'no-store')
      .send(attachment.bytes);
  });

  app.get('/whatsapp', async () => ({ phones: driverPhones(wpp) }));

  app.get('/whatsapp/:phone', { schema: { params: z.object({ phone }) } }, async (request) => ({
    received: receivedView(wpp, request.params.phone),
    chat: phoneChatView(wpp, request.params.phone),
    agentTyping: agentTypingIn(wpp, request.params.phone),
  }));

  const url = await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  return { url, close: () => app.close() };
}

/**
 * What `npm start` prints about the sandbox: the page to open, last and framed so it stands out,
 * after the curl commands scripts use, with a driver's phone new on every run.
 */
export function sandboxConsoleHelp(url: string, phone = `+${newDriverPhone()}`): string[] {
  const json = `-H 'content-type: application/json'`;
  const open = `  open ${url}   the sandbox: a driver's WhatsApp and the agents' Chatwoot inbox, live`;
  const rule = '='.repeat(open.length + 2);
  return [
    `Bridge sandbox console: ${url}  (the same, as JSON routes for scripts)`,
    `  driver writes:  curl -X POST ${url}/driver-says ${json} -d '{"phone": "${phone}", "text": "Olá, tenho uma entrega"}'`,
    `  the inbox:      curl ${url}/chatwoot`,
    `  agent replies:  curl -X POST ${url}/agent-says ${json} -d '{"conversationId": 1000, "text": "Bom dia! Em que posso ajudar?"}'`,
    `  driver's phone: curl ${url}/whatsapp/${phone}`,
    `  the registration bot: the driver writes "quero ser motorista", answers each question, and sends documents with`,
    `                  curl -X POST ${url}/driver-sends ${json} -d '{"phone": "${phone}", "file": "photo"}'   (or "pdf")`,
    rule,
    open,
    rule,
  ];
}
