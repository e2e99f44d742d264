/**
 * A bot turn as WhatsApp messages, and a driver's WhatsApp reply read back for Typebot: numbered
 * menus, trigger keywords, the driver's own commands. Pure: workflows import it.
 */
import { allowedExtensions, imageTypes, isChoiceInput, isFileInput, type ChatInput, type ChatMessage, type ChoiceItem } from './typebot-chat.ts';
import { botPrompts, typebotRetries } from './texts/bot.ts';
import { markdownToWhatsApp, richTextToWhatsApp } from './whatsapp-formatting.ts';

// ---- A bot turn as WhatsApp messages -------------------------------------------------------

export type MediaType = 'image' | 'video' | 'audio' | 'file';
export type WhatsAppPart = { kind: 'text'; text: string } | { kind: 'media'; url: string; mediaType: MediaType; caption: string | null };


const itemLabel = (item: ChoiceItem) => item.content ?? item.title ?? item.value ?? '';

function videoLink(content: Extract<ChatMessage, { type: 'video' }>['content']): string | undefined {
  if (content.url) return content.url;
  if (content.id && content.type === 'youtube') return `https://www.youtube.com/watch?v=${content.id}`;
  if (content.id && content.type === 'vimeo') return `https://vimeo.com/${content.id}`;
  return undefined;
}


/** "Envie uma fotografia ou um PDF.", said only when the bot itself said nothing. */
function fileHint(input: ChatInput): string {
  const allowed = allowedExtensions(input);
  const photos = allowed === null || allowed.some((type) => imageTypes.includes(type));
  const pdf = allowed === null || allowed.includes('pdf');
  const others = allowed !== null && allowed.some((type) => type !== 'pdf' && !imageTypes.includes(type));
  if (others || (!photos && !pdf)) return botPrompts.sendFile;
  if (photos && pdf) return botPrompts.sendPhotoOrPdf;
  return photos ? botPrompts.sendPhoto : botPrompts.sendPdf;
}

function choicePrompt(input: ChatInput): string {
  const lines = (input.items ?? []).map((item, index) => {
    const description = input.type === 'picture choice input' && item.description ? ` - ${item.description}` : '';
    return `${index + 1}. ${itemLabel(item)}${description}`;
  });
  if (lines.length > 1 && input.options?.isMultipleChoice === true) {
    lines.push('', botPrompts.multipleChoice);
  }
  return lines.join('\n');
}

/**
 * Typebot's own retry messages, used where the flow sets none (choices and files have no setting
 * for it), are English; drivers read European Portuguese.
 */
function inPortuguese(text: string, input: ChatInput | null | undefined): string {
  switch (text) {
    case 'Invalid message. Please, try again.':
      if (isChoiceInput(input)) return typebotRetries.choice;
      if (isFileInput(input)) return typebotRetries.file;
      return typebotRetries.other;
    case "This email doesn't seem to be valid. Can you type it again?":
      return typebotRetries.email;
    default:
      return text;
  }
}

/**
 * The WhatsApp messages for one bot turn, in order. Consecutive texts become one message
 * (blank line between); a choice menu is numbered and appended to the last text; a file
 * input gets a short hint when the bot's own text is empty.
 */
export function renderForWhatsApp(messages: readonly ChatMessage[], input: ChatInput | null | undefined): WhatsAppPart[] {
  const parts: WhatsAppPart[] = [];
  const addText = (text: string) => {
    const trimmed = text.trim();
    if (trimmed === '') return;
    const last = parts.at(-1);
    if (last?.kind === 'text') parts[parts.length - 1] = { kind: 'text', text: `${last.text}\n\n${trimmed}` };
    else parts.push({ kind: 'text', text: trimmed });
  };
  const addMedia = (url: string | undefined, mediaType: MediaType, caption: string | null = null) => {
    if (url) parts.push({ kind: 'media', url, mediaType, caption });
  };
  for (const message of messages) {
    switch (message.type) {
      case 'text': {
        const { content } = message;
        addText(inPortuguese(content.type === 'markdown' ? markdownToWhatsApp(content.markdown) : richTextToWhatsApp(content.richText), input));
        break;
      }
      case 'image':
        addMedia(message.content.url, 'image', message.content.clickLink?.url ?? null);
        break;
      case 'video':
        if ((message.content.type ?? 'url') === 'url') addMedia(message.content.url, 'video');
        else addText(videoLink(message.content) ?? '');
        break;
      case 'audio':
        addMedia(message.content.url, 'audio');
        break;
      case 'embed': {
        const url = message.content.url ?? '';
        if (/\.pdf$/i.test(url.split(/[?#]/)[0]!)) addMedia(url, 'file');
        else addText(url);
        break;
      }
    }
  }
  if (input && isChoiceInput(input)) addText(choicePrompt(input));
  else if (input && isFileInput(input) && !parts.some((part) => part.kind === 'text')) addText(fileHint(input));
  return parts;
}

// ---- Reading the driver's reply -------------------------------------------------------------

/** Lower case, accents stripped (NFD), spaces collapsed, trimmed: " Recomeçar " → "recomecar". */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** The folded words, punctuation dropped: "Quero ser motorista!" → ["quero", "ser", "motorista"]. */
const wordsOf = (text: string) => foldText(text).split(/[^\p{L}\p{N}]+/u).filter((word) => word !== '');

const foldChoice = (text: string) => foldText(text).replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');

function matchOne(reply: string, items: readonly ChoiceItem[]): ChoiceItem | null {
  const numbered = /^\s*(\d{1,3})\s*[.)ºª°]?\s*$/.exec(reply);
  if (numbered) return items[Number(numbered[1]) - 1] ?? null;
  const folded = foldChoice(reply);
  if (folded === '') return null;
  const sameText = (item: ChoiceItem) =>
    [item.content, item.title, item.value].some((label) => label !== undefined && foldChoice(label) === folded);
  const byText = items.find(sameText);
  if (byText) return byText;
  // "2. Carro", copied from the menu.
  const copied = /^\s*(\d{1,3})\s*[.)\-–:]?\s+(.+)$/.exec(reply);
  const item = copied ? items[Number(copied[1]) - 1] : undefined;
  return item && foldChoice(itemLabel(item)) === foldChoice(copied![2]!) ? item : null;
}

/**
 * The item a reply picks from a numbered menu: "2", "2.", "2)" or " 2 " pick the second;
 * otherwise the reply must equal an item's text (content, title or value), ignoring case,
 * accents, spaces and surrounding punctuation. Null when it picks nothing.
 */
export function matchChoice(reply: string, items: readonly ChoiceItem[]): ChoiceItem | null {
  return reply.length > 200 ? null : matchOne(reply, items);
}

const connectors = new Set(['e', 'ou', 'and']);

/**
 * The items of a multiple-choice reply: numbers or texts separated by commas, semicolons,
 * new lines, spaces or "e" ("1, 3", "1 3", "Mota e Carro"), in the driver's order without
 * repeats. Null when any part of the reply is not an item.
 */
export function matchChoices(reply: string, items: readonly ChoiceItem[]): ChoiceItem[] | null {
  if (reply.length > 500) return null;
  const whole = matchOne(reply, items);
  if (whole) return [whole];
  const picked: ChoiceItem[] = [];
  for (const segment of reply.split(/[,;\n]+/)) {
    const tokens = segment.split(/\s+/).filter((token) => token !== '');
    for (let start = 0; start < tokens.length; ) {
      // The longest run of words that names an item: "Carro ligeiro" before "Carro".
      let found: ChoiceItem | null = null;
      let end = tokens.length;
      for (; end > start; end--) {
        found = matchOne(tokens.slice(start, end).join(' '), items);
        if (found) break;
      }
      if (found) {
        picked.push(found);
        start = end;
      } else if (connectors.has(foldChoice(tokens[start]!))) start++;
      else return null;
    }
  }
  const unique = [...new Set(picked)];
  return unique.length > 0 ? unique : null;
}

/**
 * Whether the text contains one of the keywords as whole words, ignoring case, accents and
 * punctuation: "quero ser motorista" is in "Quero ser motorista!", "registo" in "Registo por
 * favor", but "cadastro" is not in "cadastros" (list plurals and verb forms as keywords).
 */
export function matchesTrigger(text: string, keywords: readonly string[]): boolean {
  const words = wordsOf(text);
  return keywords.some((keyword) => {
    const phrase = wordsOf(keyword);
    if (phrase.length === 0) return false;
    for (let at = 0; at + phrase.length <= words.length; at++) {
      if (phrase.every((word, offset) => words[at + offset] === word)) return true;
    }
    return false;
  });
}

export type BotCommand = 'restart' | 'human';

const restartCommands = new Set(['recomecar', 'reiniciar', 'comecar de novo', 'voltar ao inicio', 'recomecar o registo']);
const humanCommands = new Set([
  'atendente', 'operador', 'humano', 'pessoa real',
  ...['atendente', 'um atendente', 'o atendente', 'operador', 'um operador', 'humano', 'um humano', 'uma pessoa', 'alguem']
    .map((who) => `falar com ${who}`),
]);

/**
 * A command only when it is the whole message (so an answer that merely mentions the word
 * is still an answer), after folding and dropping punctuation, a leading "quero"/"queria"
 * and a trailing "por favor": "Recomeçar!" → restart, "Quero falar com um atendente, por
 * favor" → human.
 */
export function botCommand(text: string): BotCommand | null {
  const phrase = wordsOf(text)
    .join(' ')
    .replace(/^(quero|queria|gostaria de|posso) /, '')
    .replace(/ (por favor|pf|se faz favor)$/, '');
  if (restartCommands.has(phrase)) return 'restart';
  if (humanCommands.has(phrase)) return 'human';
  return null;
}

