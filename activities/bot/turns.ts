/**
 * The bot's conversation with Typebot: starting a session and answering its questions. Typebot's
 * Chat API is not idempotent, so each turn's answer is kept before anything is sent and a retry
 * reuses it instead of asking again.
 */
import { randomBytes } from 'node:crypto';
import { matchChoice, matchChoices } from '../../domain/bot-dialogue.ts';
import type { InboundMessage } from '../../domain/chat.ts';
import { isChoiceInput, isFileInput, uploadExtension, type ChatInput, type ChoiceItem, type TypebotStart, type TypebotTurn } from '../../domain/typebot-chat.ts';
import { insertBotSession, keepBotTurn, keptBotTurn, setBotSessionId } from '../../platform/stores/bot.ts';
import { phoneOfChat } from '../delivery/recipient.ts';
import { carriesMedia, fetchInboundMedia } from '../bridge/inbound-media.ts';
import type { BotDependencies, BotStep } from './dependencies.ts';

async function rememberedTurn<T extends TypebotTurn>(deps: BotDependencies, step: BotStep, ask: () => Promise<T>): Promise<T> {
  const earlier = await keptBotTurn<T>(deps.db, deps.personal, step.chatId, step.key);
  return earlier ?? keepBotTurn(deps.db, deps.personal, step.chatId, step.key, await ask());
}

/**
 * A session with the driver's phone and name, and a random token that links a registration back to this chat.
 * No name (or a blank one) goes as empty text, which Typebot leaves unset: the flow then greets without a name.
 * The token is stored before the session starts: the flow's first turn may already call the API with it
 * (a correction asks which items to redo). A retry cut off in between leaves a token nobody holds.
 */
export function startSession(deps: BotDependencies, step: BotStep, senderName: string | null, correction = false): Promise<TypebotStart> {
  return rememberedTurn(deps, step, async () => {
    const phone = await phoneOfChat(deps.wppconnect, step.chatId);
    const linkToken = randomBytes(18).toString('base64url');
    await insertBotSession(deps.db, deps.personal, { linkToken, chatId: step.chatId, chatwootConversationId: step.chatwoot?.conversationId ?? null });
    const started = await deps.typebot.startChat({
      publicId: deps.publicId,
      prefilledVariables: {
        WhatsApp: phone === null ? '' : `+${phone}`, ContactName: senderName?.trim() ?? '', SessaoConversa: linkToken, ...(correction ? { Correcao: 'sim' } : {}),
      },
    });
    await setBotSessionId(deps.db, linkToken, started.sessionId);
    return started;
  });
}

/** The driver's message as the answer to the waiting question, and Typebot's next turn. */
export function continueSession(deps: BotDependencies, step: BotStep, session: { sessionId: string; awaiting: ChatInput | null }, message: InboundMessage): Promise<TypebotTurn> {
  return rememberedTurn(deps, step, async () => deps.typebot.continueChat(session.sessionId, await answerFor(deps, step, session, message)));
}

const choiceText = (item: ChoiceItem) => item.content ?? item.value ?? item.title ?? item.id;

/** The driver's message as Typebot's current input expects it: a file uploaded through its chat API, a numbered choice resolved. */
async function answerFor(deps: BotDependencies, step: BotStep, session: { sessionId: string; awaiting: ChatInput | null }, message: InboundMessage): Promise<{ text: string; replyId?: string }> {
  const { awaiting } = session;
  const text = message.text ?? '';
  if (awaiting !== null && isFileInput(awaiting) && carriesMedia(message)) {
    const media = await fetchInboundMedia(deps, step.chatId, message);
    if (!media.ok) return { text: '' };
    const { file } = media;
    // Typebot checks the file URL's extension against the input's allowed types: name it as one it accepts.
    const extension = uploadExtension(awaiting, file.contentType);
    const fileName = extension === null ? file.filename : `${file.filename.replace(/\.[^.]*$/, '')}.${extension}`;
    const upload = await deps.typebot.generateUploadUrl({ sessionId: session.sessionId, blockId: awaiting.id, fileName, fileType: file.contentType, fileSize: file.bytes.length });
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
