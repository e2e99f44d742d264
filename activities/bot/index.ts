import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { Context, log } from '@temporalio/activity';
import type { BotTurn } from '../../domain/bot.ts';
import type { ChatwootLink, InboundMessage } from '../../domain/chat.ts';
import { ErrorType } from '../../domain/errors.ts';
import { matchChoice, matchChoices, renderForWhatsApp, type WhatsAppPart } from '../../domain/bot-dialogue.ts';
import { isChoiceInput, isFileInput, uploadExtension, type ChatInput, type ChoiceItem, type TypebotStart, type TypebotTurn } from '../../domain/typebot-chat.ts';
import type { TypebotClient } from '../../integrations/typebot/client.ts';
import { carriesMedia, fetchInboundMedia } from '../bridge/inbound-media.ts';
import type { BridgeDependencies } from '../bridge/dependencies.ts';
import { phoneOfChat } from '../bridge/resolve-conversation.ts';

export interface BotDependencies extends BridgeDependencies {
  typebot: TypebotClient;
  publicId: string;
}

interface BotStep {
  chatId: string;
  chatwoot: ChatwootLink | null;
  /** From business ids (the driver's message, the session's turn): the same step never acts twice. */
  key: string;
}

/** What the bot says on its own, outside the flow (pt-PT: drivers read it). */
const botLines = {
  reminder:
    'Ainda está por aí? 🙂 Quando puder, responda à última pergunta e continuamos o seu registo de onde ficou.\n' +
    'Escreva *recomeçar* para começar de novo, ou *atendente* para falar com uma pessoa.',
  'hand-over': 'Com certeza. Vou passar a conversa a um colega da equipa, que lhe responde aqui assim que possível.',
  'session-gone': 'A sua sessão de registo expirou. Escreva *recomeçar* para começar de novo.',
} as const;

const choiceText = (item: ChoiceItem) => item.content ?? item.value ?? item.title ?? item.id;

/**
 * A bot step may wait a long while on Typebot (its HTTP Request block runs inside the call), so it
 * heartbeats as it goes: a worker that dies mid-step is noticed within the heartbeat timeout, not
 * after the whole step's time limit.
 */
async function heartbeating<T>(step: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const beat = setInterval(() => context.heartbeat(), 5_000);
  try {
    return await step();
  } finally {
    clearInterval(beat);
  }
}

/** How far a message found in the chat may predate the first attempt to send it (clocks of two hosts). */
const clockSkewMs = 60_000;

/** Marks the bot's messages in Chatwoot, so agents tell them from people's. */
const mirrored = (text: string) => `🤖 ${text}`;

/**
 * The bot's turns, relayed for a chat: Typebot's answer is kept before anything is sent (its
 * Chat API is not idempotent, so a retry reuses it), then each part goes to WhatsApp once and is
 * mirrored into the Chatwoot conversation once, marked as the bot's and with a `bot:` source id so
 * the webhook that comes back is never sent to WhatsApp.
 */
export function createBotActivities(deps: BotDependencies) {
  async function rememberedTurn<T extends TypebotTurn>(key: string, ask: () => Promise<T>): Promise<T> {
    const earlier = await deps.db.query<{ response: T }>('SELECT response FROM bot_turns WHERE turn_key = $1', [key]);
    if (earlier.rows[0] !== undefined) return earlier.rows[0].response;
    const response = await ask();
    await deps.db.query('INSERT INTO bot_turns (turn_key, response) VALUES ($1, $2) ON CONFLICT (turn_key) DO NOTHING', [key, JSON.stringify(response)]);
    return (await deps.db.query<{ response: T }>('SELECT response FROM bot_turns WHERE turn_key = $1', [key])).rows[0]!.response;
  }

  async function deliver(step: BotStep, parts: WhatsAppPart[]): Promise<void> {
    const phone = await phoneOfChat(deps, step.chatId);
    if (phone === null) throw ApplicationFailure.nonRetryable(`No phone number is known for WhatsApp chat ${step.chatId}`, ErrorType.WhatsAppRecipientUnknown);
    for (const [index, part] of parts.entries()) await deliverPart(step, phone, `${step.key}:${index}`, part);
  }

  async function deliverPart(step: BotStep, phone: string, messageKey: string, part: WhatsAppPart): Promise<void> {
    const claimed = await deps.db.query<{ whatsapp_status: string; chatwoot_message_id: string | null; created_at: Date; inserted: boolean }>(
      `INSERT INTO bot_messages (message_key, chat_id) VALUES ($1, $2)
       ON CONFLICT (message_key) DO UPDATE SET message_key = EXCLUDED.message_key
       RETURNING whatsapp_status, chatwoot_message_id, created_at, (xmax = 0) AS inserted`,
      [messageKey, step.chatId],
    );
    const row = claimed.rows[0]!;
    const text = part.kind === 'text' ? part.text : (part.caption ?? '');
    if (row.whatsapp_status !== 'sent') {
      // An earlier attempt may have sent it before failing to record it: look in the chat first, from
      // that attempt on (the bot repeats itself, e.g. a retry message, so older copies do not count).
      const since = row.created_at.getTime() - clockSkewMs;
      const earlier = row.inserted || part.kind !== 'text'
        ? undefined
        : (await deps.wppconnect.chatMessages({ chatId: step.chatId, count: 30 }))
            .find((sent) => sent.fromMe && sent.body === part.text && sent.timestamp * 1000 >= since);
      const whatsappId = earlier?.id ?? (await sendPart(phone, part));
      await deps.db.query("UPDATE bot_messages SET whatsapp_status = 'sent', whatsapp_message_id = $2 WHERE message_key = $1", [messageKey, whatsappId]);
    }
    if (row.chatwoot_message_id !== null) return;
    const content = part.kind === 'text' ? mirrored(text) : mirrored(`${text === '' ? '' : `${text}\n`}[${part.mediaType}] ${part.url}`);
    await postToChatwootOnce(step, messageKey, !row.inserted, { content, isPrivate: false });
  }

  /** Posts into the conversation once per key: a retry looks for its `bot:` source id first. */
  async function postToChatwootOnce(step: BotStep, messageKey: string, retried: boolean, message: { content: string; isPrivate: boolean }): Promise<void> {
    if (step.chatwoot === null) return;
    const sourceId = `bot:${messageKey}`;
    const existing = retried ? (await deps.chatwoot.messages(step.chatwoot.conversationId)).find((posted) => posted.sourceId === sourceId) : undefined;
    const posted = existing ?? (await deps.chatwoot.createMessage(step.chatwoot.conversationId, {
      messageType: 'outgoing', sourceId, content: message.content, ...(message.isPrivate ? { private: true } : {}),
    }));
    await deps.db.query('UPDATE bot_messages SET chatwoot_message_id = $2 WHERE message_key = $1', [messageKey, posted.id]);
  }

  async function sendPart(phone: string, part: WhatsAppPart): Promise<string> {
    if (part.kind === 'text') return (await deps.wppconnect.sendText({ phone, message: part.text })).messageId;
    const response = await fetch(part.url, { signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`The bot's ${part.mediaType} at ${part.url} answered ${response.status}`);
    // Past WhatsApp's (and our) media limit the driver gets the link instead.
    const asLink = async () => (await deps.wppconnect.sendText({ phone, message: [part.caption, part.url].filter(Boolean).join('\n') })).messageId;
    if (Number(response.headers.get('content-length') ?? 0) > deps.mediaMaxBytes) {
      await response.body?.cancel();
      return asLink();
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > deps.mediaMaxBytes) return asLink();
    const contentType = response.headers.get('content-type')?.split(';')[0]?.trim() ?? 'application/octet-stream';
    const dataUrl = `data:${contentType};base64,${bytes.toString('base64')}`;
    const filename = decodeURIComponent(new URL(part.url).pathname.split('/').pop() ?? 'ficheiro');
    const caption = part.caption === null ? {} : { caption: part.caption };
    if (part.mediaType === 'image') return (await deps.wppconnect.sendImage({ phone, dataUrl, filename, ...caption })).messageId;
    if (part.mediaType === 'audio') return (await deps.wppconnect.sendVoice({ phone, dataUrl })).messageId;
    return (await deps.wppconnect.sendFile({ phone, dataUrl, filename, ...caption })).messageId;
  }

  /** The driver's message as Typebot's current input expects it: a file uploaded through its chat API, a numbered choice resolved. */
  async function answerFor(step: BotStep, sessionId: string, awaiting: ChatInput | null, message: InboundMessage): Promise<{ text: string; replyId?: string }> {
    const text = message.text ?? '';
    if (awaiting !== null && isFileInput(awaiting) && carriesMedia(message)) {
      const media = await fetchInboundMedia(deps, step.chatId, message);
      if (!media.ok) return { text: '' };
      const { file } = media;
      // Typebot checks the file URL's extension against the input's allowed types: name it as one it accepts.
      const extension = uploadExtension(awaiting, file.contentType);
      const fileName = extension === null ? file.filename : `${file.filename.replace(/\.[^.]*$/, '')}.${extension}`;
      const upload = await deps.typebot.generateUploadUrl({ sessionId, blockId: awaiting.id, fileName, fileType: file.contentType, fileSize: file.bytes.length });
      await deps.typebot.uploadFile(upload, file.bytes, fileName, file.contentType);
      return { text: upload.fileUrl };
    }
    if (awaiting !== null && isChoiceInput(awaiting)) {
      const items = awaiting.items ?? [];
      if (awaiting.options?.isMultipleChoice === true) {
        const chosen = matchChoices(text, items);
        if (chosen !== null) return { text: chosen.map(choiceText).join(', ') };
      } else {
        const choice = matchChoice(text, items);
        // Typebot takes the exact text of the choice; the item id decides if both are sent.
        if (choice !== null) return { text: choiceText(choice), replyId: choice.id };
      }
    }
    // Anything else goes as typed: Typebot answers an invalid reply with its retry message.
    return { text };
  }

  function turnOf(sessionId: string, response: TypebotTurn): BotTurn {
    return { sessionId, awaiting: response.input, gone: false };
  }

  return {
    /** Starts a session with the driver's phone and name, and a random token that links a registration back to this chat. */
    startBot: (input: BotStep & { senderName: string | null }): Promise<BotTurn> => heartbeating(async () => {
      const phone = await phoneOfChat(deps, input.chatId);
      const response = await rememberedTurn<TypebotStart>(input.key, async () => {
        const linkToken = randomBytes(18).toString('base64url');
        const started = await deps.typebot.startChat({
          publicId: deps.publicId,
          prefilledVariables: {
            WhatsApp: phone === null ? '' : `+${phone}`,
            ContactName: input.senderName ?? '',
            SessaoConversa: linkToken,
          },
        });
        await deps.db.query(
          'INSERT INTO bot_sessions (link_token, chat_id, chatwoot_conversation_id, typebot_session_id) VALUES ($1, $2, $3, $4)',
          [linkToken, input.chatId, input.chatwoot?.conversationId ?? null, started.sessionId],
        );
        return started;
      });
      await deliver(input, renderForWhatsApp(response.messages, response.input));
      return turnOf(response.sessionId, response);
    }),

    /** The driver's answer to the waiting question, and the bot's next turn. */
    answerBot: (input: BotStep & { session: { sessionId: string; awaiting: ChatInput | null }; message: InboundMessage }): Promise<BotTurn> => heartbeating(async () => {
      const { sessionId, awaiting } = input.session;
      let response: TypebotTurn;
      try {
        response = await rememberedTurn(input.key, async () => deps.typebot.continueChat(sessionId, await answerFor(input, sessionId, awaiting, input.message)));
      } catch (error) {
        if (!(error instanceof ApplicationFailure) || error.type !== ErrorType.TypebotSessionGone) throw error;
        log.warn('Typebot no longer knows the session', { chatId: input.chatId, sessionId });
        await deliver(input, [{ kind: 'text', text: botLines['session-gone'] }]);
        return { sessionId, awaiting: null, gone: true };
      }
      await deliver(input, renderForWhatsApp(response.messages, response.input));
      return turnOf(sessionId, response);
    }),

    /** The bot's own lines: the reminder after silence, the hand-over to a person (with a note for agents). */
    botSays: (input: BotStep & { say: 'reminder' | 'hand-over' }): Promise<void> => heartbeating(async () => {
      await deliver(input, [{ kind: 'text', text: botLines[input.say] }]);
      if (input.say !== 'hand-over') return;
      // A note only agents see: no WhatsApp side, so it is claimed as already sent there.
      const noteKey = `${input.key}:note`;
      const claimed = await deps.db.query<{ chatwoot_message_id: string | null; inserted: boolean }>(
        `INSERT INTO bot_messages (message_key, chat_id, whatsapp_status) VALUES ($1, $2, 'sent')
         ON CONFLICT (message_key) DO UPDATE SET message_key = EXCLUDED.message_key RETURNING chatwoot_message_id, (xmax = 0) AS inserted`,
        [noteKey, input.chatId],
      );
      const row = claimed.rows[0]!;
      if (row.chatwoot_message_id !== null) return;
      await postToChatwootOnce(input, noteKey, !row.inserted, {
        isPrivate: true,
        content: 'O condutor pediu para falar com uma pessoa; o bot ficou em pausa nesta conversa. Para o retomar, escreva a nota privada /bot, adicione a etiqueta retomar-bot ou resolva a conversa.',
      });
    }),
  };
}

export type BotActivities = ReturnType<typeof createBotActivities>;
