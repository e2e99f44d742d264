/**
 * The bridge sandbox's control surface: `npm start` runs both simulators in its own process, so a
 * newcomer plays the driver and the agent through these routes (127.0.0.1 only).
 *   POST /driver-says {"phone", "text", "name"?}  a WhatsApp message from a driver's phone
 *   POST /driver-sends {"phone", "file"}           a sample photo ("photo") or PDF ("pdf") from a driver's phone
 *   POST /agent-says {"conversationId", "text"}    an agent's reply in the Chatwoot inbox
 *   GET  /chatwoot                                 the inbox: conversations and their messages
 *   GET  /whatsapp/:phone                          what the driver received on WhatsApp
 */
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { registerErrorHandler } from '../api/error-handler.ts';
import { AppError, ErrorType } from '../domain/errors.ts';
import type { ChatwootSimulator, MessageRecord } from '../test/simulators/chatwoot/index.ts';
import type { WppConnectSimulator } from '../test/simulators/wppconnect/index.ts';
import { makeJpeg, makePdf } from '../test/fixtures/documents.ts';
import { newDriverPhone } from '../test/support/bridge-views.ts';

/** International, with or without "+", spaces and hyphens ignored; yields WhatsApp's digits. */
const phone = z
  .string()
  .transform((text) => text.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\+?[1-9]\d{7,14}$/, 'phone must be an international number such as +351912345678'))
  .transform((text) => text.replace(/^\+/, ''));
const text = z.string().trim().min(1, 'text must not be empty').max(4096);

const driverSaysBody = z.object({ phone, text, name: z.string().trim().min(1).max(100).optional() });
const driverSendsBody = z.object({ phone, file: z.enum(['photo', 'pdf'], { message: 'file must be "photo" or "pdf"' }) });
const agentSaysBody = z.object({ conversationId: z.number().int().positive(), text });

export interface InboxMessageView {
  id: number;
  type: MessageRecord['messageType'];
  from: string | null;
  text: string | null;
  private: boolean;
  status: MessageRecord['status'];
  attachments: string[];
  at: string;
}

export interface InboxConversationView {
  id: number;
  status: string;
  contact: { name: string; phone: string | null } | null;
  messages: InboxMessageView[];
}

export interface WhatsAppMessageView {
  id: string;
  text: string;
  type: string;
  filename?: string;
  at: string;
}

/** The Chatwoot simulator's inbox as a person reads it. */
function inboxView(chatwoot: ChatwootSimulator): InboxConversationView[] {
  const contacts = chatwoot.contacts();
  const nameOf = (sender: MessageRecord['sender']) =>
    sender === null ? null : sender.type === 'user' ? sender.name : (contacts.find((contact) => contact.id === sender.id)?.name ?? 'contact');
  return chatwoot.conversations().map((conversation) => {
    const contact = contacts.find((candidate) => candidate.id === conversation.contactId);
    return {
      id: conversation.id,
      status: conversation.status,
      contact: contact === undefined ? null : { name: contact.name, phone: contact.phoneNumber },
      messages: chatwoot.messages(conversation.id).map((message) => ({
        id: message.id,
        type: message.messageType,
        from: nameOf(message.sender),
        text: message.content,
        private: message.private,
        status: message.status,
        attachments: message.attachments.map((attachment) => attachment.filename),
        at: message.createdAt.toISOString(),
      })),
    };
  });
}

export interface SandboxConsole {
  url: string;
  close(): Promise<void>;
}

export async function startSandboxConsole(options: { wpp: WppConnectSimulator; chatwoot: ChatwootSimulator; port?: number }): Promise<SandboxConsole> {
  const { wpp, chatwoot } = options;
  const app = Fastify({ logger: { level: 'warn' } }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);

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

  app.post('/agent-says', { schema: { body: agentSaysBody } }, async (request, reply) => {
    const { conversationId, text: content } = request.body;
    if (!chatwoot.conversations().some((conversation) => conversation.id === conversationId)) {
      throw new AppError(ErrorType.NotFound, `No conversation ${conversationId} in the Chatwoot simulator; GET /chatwoot lists them`);
    }
    const { messageId } = await chatwoot.agentReply(conversationId, { content });
    return reply.status(202).send({ chatwootMessageId: messageId });
  });

  app.get('/chatwoot', async () => ({ conversations: inboxView(chatwoot) }));

  app.get('/whatsapp/:phone', { schema: { params: z.object({ phone }) } }, async (request) => ({
    received: wpp.sent
      .filter((message) => message.phone === request.params.phone)
      .map((message): WhatsAppMessageView => ({
        id: message.id,
        text: message.body,
        type: message.type ?? 'chat',
        ...(message.filename === undefined ? {} : { filename: message.filename }),
        at: message.at.toISOString(),
      })),
  }));

  const url = await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  return { url, close: () => app.close() };
}

/** The commands a newcomer copies, printed by `npm start`, with a driver's phone new on every run. */
export function sandboxConsoleHelp(url: string, phone = `+${newDriverPhone()}`): string[] {
  const json = `-H 'content-type: application/json'`;
  return [
    `Bridge sandbox console: ${url}  (you are the driver and the agent)`,
    `  driver writes:  curl -X POST ${url}/driver-says ${json} -d '{"phone": "${phone}", "text": "Olá, tenho uma entrega"}'`,
    `  the inbox:      curl ${url}/chatwoot`,
    `  agent replies:  curl -X POST ${url}/agent-says ${json} -d '{"conversationId": 1000, "text": "Bom dia! Em que posso ajudar?"}'`,
    `  driver's phone: curl ${url}/whatsapp/${phone}`,
    `  the registration bot: the driver writes "quero ser motorista", answers each question, and sends documents with`,
    `                  curl -X POST ${url}/driver-sends ${json} -d '{"phone": "${phone}", "file": "photo"}'   (or "pdf")`,
  ];
}
