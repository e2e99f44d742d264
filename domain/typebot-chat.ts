/**
 * The Typebot Chat API as the WhatsApp bridge sees it (CONTRACTS.md §3.2-§3.3): the parts
 * of a chat response it uses, how a bot turn becomes WhatsApp messages, and how a driver's
 * WhatsApp reply is read back (numbered menus, trigger keywords, commands, files).
 * Pure: workflows import it.
 */

// ---- The chat response ------------------------------------------------------------------

/** A Slate text node; Typebot's marks are bold, italic, strikeThrough, code (underline has no WhatsApp form). */
export interface RichTextLeaf {
  text: string;
  bold?: boolean;
  italic?: boolean;
  strikeThrough?: boolean;
  strikethrough?: boolean;
  code?: boolean;
}
/** A Slate element: p, a (with url), ul, ol, li, lic, h1-h6, blockquote, code_block, inline-variable... */
export interface RichTextElement {
  type?: string;
  url?: string;
  children: RichTextNode[];
}
export type RichTextNode = RichTextLeaf | RichTextElement;

export type TextBubbleContent = { type: 'markdown'; markdown: string } | { type: 'richText'; richText: RichTextNode[] };

export type ChatMessage =
  | { id: string; type: 'text'; content: TextBubbleContent }
  | { id: string; type: 'image'; content: { url?: string; clickLink?: { url?: string; alt?: string } } }
  | { id: string; type: 'video'; content: { url?: string; id?: string; type?: 'url' | 'youtube' | 'vimeo' | 'tiktok' | 'gumlet' } }
  | { id: string; type: 'audio'; content: { url?: string } }
  | { id: string; type: 'embed'; content: { url?: string } };

export const inputTypes = [
  'text input', 'email input', 'number input', 'url input', 'phone number input', 'date input', 'time input',
  'payment input', 'rating input', 'file input', 'choice input', 'picture choice input', 'cards',
] as const;
export type InputType = (typeof inputTypes)[number];

/** A button of a choice input (`content`), a picture choice (`title`, `description`) or a card (`title`). */
export interface ChoiceItem {
  id: string;
  content?: string;
  value?: string;
  title?: string;
  description?: string;
  pictureSrc?: string;
}

export interface InputOptions {
  variableId?: string;
  isMultipleChoice?: boolean;
  isRequired?: boolean;
  isMultipleAllowed?: boolean;
  /** Extensions such as "pdf", "jpg". */
  allowedFileTypes?: { isEnabled?: boolean; types?: string[] };
  /** File input size limit, in MB. */
  sizeLimit?: number;
  labels?: { placeholder?: string; button?: string; skip?: string };
  retryMessageContent?: string;
  defaultCountryCode?: string;
}

export interface ChatInput {
  id: string;
  type: InputType;
  items?: ChoiceItem[];
  options?: InputOptions;
  prefilledValue?: string;
}

export interface ClientSideAction {
  type: string;
  expectsDedicatedReply?: boolean;
}

/** What one startChat or continueChat call answered (CONTRACTS.md §3.2). */
export interface TypebotTurn {
  messages: ChatMessage[];
  /** What the bot waits for; null when it waits for nothing. */
  input: ChatInput | null;
  clientSideActions: ClientSideAction[];
  /** Block logs (an HTTP Request block's failure...), for diagnosis only. */
  logs: { status: string; description: string }[];
}

/** startChat's answer: a turn, and the session it opened. */
export interface TypebotStart extends TypebotTurn {
  sessionId: string;
  resultId: string | null;
}

/** No input and nothing that expects a reply: the flow is finished and Typebot has dropped the session. */
export function isChatOver(turn: TypebotTurn): boolean {
  return turn.input === null && !turn.clientSideActions.some((action) => action.expectsDedicatedReply === true);
}

// ---- Markdown and Slate to WhatsApp ------------------------------------------------------

interface Marks {
  bold: boolean;
  italic: boolean;
  strike: boolean;
}
const noMarks: Marks = { bold: false, italic: false, strike: false };

/** Markers around the text, whitespace kept outside them (WhatsApp ignores "* b *"). */
function wrap(text: string, marker: string): string {
  const core = text.trim();
  if (marker === '' || core === '') return text;
  const lead = text.slice(0, text.length - text.trimStart().length);
  return `${lead}${marker}${core}${[...marker].reverse().join('')}${text.slice(text.trimEnd().length)}`;
}

const withoutScheme = (url: string) => url.trim().replace(/^(https?:\/\/|mailto:)/i, '').replace(/\/+$/, '').toLowerCase();

/** "t (u)", or just u when the text is the address itself. */
function linkText(text: string, url: string): string {
  if (url === '') return text;
  if (text.trim() === '' || withoutScheme(text) === withoutScheme(url)) return url;
  return `${text} (${url})`;
}

/** The index of the bracket closing the one at `open`, skipping escapes and nested pairs; -1 if none. */
function closingBracket(text: string, open: number, openChar: string, closeChar: string): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === openChar) depth++;
    else if (text[i] === closeChar && --depth === 0) return i;
  }
  return -1;
}

const isSpace = (ch: string | undefined) => ch === undefined || /\s/.test(ch);
const isWordChar = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);
const runLength = (text: string, at: number, ch: string) => {
  let end = at;
  while (text[end] === ch) end++;
  return end - at;
};

/** Where a delimiter run of exactly `length` × `ch` can close an emphasis opened before `from`; -1 if nowhere. */
function closingRun(text: string, from: number, ch: string, length: number): number {
  for (let i = from; i < text.length; ) {
    const run = runLength(text, i, ch);
    if (run === 0) {
      i += text[i] === '\\' ? 2 : 1;
      continue;
    }
    const flanking = !isSpace(text[i - 1]) && (ch !== '_' || !isWordChar(text[i + run]));
    if (run === length && flanking && i > from) return i;
    i += run;
  }
  return -1;
}

function emphasis(inner: string, ch: string, length: number, marks: Marks): string {
  if (ch === '~') return marks.strike ? inline(inner, marks) : wrap(inline(inner, { ...marks, strike: true }), '~');
  const bold = length >= 2 && !marks.bold;
  const italic = length !== 2 && !marks.italic;
  const text = inline(inner, { ...marks, bold: marks.bold || length >= 2, italic: marks.italic || length !== 2 });
  return wrap(text, `${bold ? '*' : ''}${italic ? '_' : ''}`);
}

/** One line of Markdown inline syntax in WhatsApp's: **b** → *b*, *i* → _i_, ~~s~~ → ~s~, [t](u) → t (u). */
function inline(text: string, marks: Marks): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const rest = text.slice(i);
    if (ch === '\\' && /^\\[!-\/:-@[-`{-~]/.test(rest)) {
      out += text[i + 1];
      i += 2;
      continue;
    }
    if (ch === '`') {
      const ticks = runLength(text, i, '`');
      const close = text.indexOf('`'.repeat(ticks), i + ticks);
      if (close !== -1) {
        out += `\`${text.slice(i + ticks, close).trim()}\``;
        i = close + ticks;
        continue;
      }
    }
    const linkStart = ch === '[' ? i : ch === '!' && text[i + 1] === '[' ? i + 1 : -1;
    if (linkStart !== -1) {
      const labelEnd = closingBracket(text, linkStart, '[', ']');
      const urlEnd = labelEnd !== -1 && text[labelEnd + 1] === '(' ? closingBracket(text, labelEnd + 1, '(', ')') : -1;
      if (urlEnd !== -1) {
        const target = text.slice(labelEnd + 2, urlEnd).trim().replace(/\s+"[^"]*"$/, '').replace(/^<(.*)>$/, '$1');
        out += linkText(inline(text.slice(linkStart + 1, labelEnd), marks), target);
        i = urlEnd + 1;
        continue;
      }
    }
    const autolink = /^<((?:https?|mailto):[^\s<>]+)>/i.exec(rest);
    if (autolink) {
      out += autolink[1]!.replace(/^mailto:/i, '');
      i += autolink[0].length;
      continue;
    }
    const lineBreak = /^<br\s*\/?>/i.exec(rest);
    if (lineBreak) {
      out += '\n';
      i += lineBreak[0].length;
      continue;
    }
    if (ch === '*' || ch === '_' || ch === '~') {
      const run = runLength(text, i, ch);
      const canOpen = (ch === '~' ? run <= 2 : run <= 3) && !isSpace(text[i + run]) && (ch !== '_' || !isWordChar(text[i - 1]));
      const close = canOpen ? closingRun(text, i + run, ch, run) : -1;
      if (close !== -1) {
        out += emphasis(text.slice(i + run, close), ch, run, marks);
        i = close + run;
      } else {
        out += ch.repeat(run);
        i += run;
      }
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

const tidy = (text: string) => text.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim();

/** Typebot's Markdown (CommonMark + strikethrough) as WhatsApp formatting. */
export function markdownToWhatsApp(markdown: string): string {
  const lines: string[] = [];
  let inFence = false;
  for (const raw of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    if (/^\s{0,3}(```|~~~)/.test(raw)) {
      inFence = !inFence;
      lines.push('```');
      continue;
    }
    if (inFence) {
      lines.push(raw);
      continue;
    }
    const line = raw.replace(/(\\| {2,})$/, '');
    let match: RegExpExecArray | null;
    if ((match = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line))) lines.push(wrap(inline(match[1]!, { ...noMarks, bold: true }), '*'));
    else if (/^\s{0,3}([-*_])(?:\s*\1){2,}\s*$/.test(line)) lines.push('');
    else if ((match = /^(\s*)[-*+]\s+(.*)$/.exec(line))) lines.push(`${match[1]}• ${inline(match[2]!, noMarks)}`);
    else if ((match = /^(\s*)(\d{1,9})[.)]\s+(.*)$/.exec(line))) lines.push(`${match[1]}${match[2]}. ${inline(match[3]!, noMarks)}`);
    else if ((match = /^\s{0,3}>\s?(.*)$/.exec(line))) lines.push(`> ${inline(match[1]!, noMarks)}`);
    else lines.push(inline(line, noMarks));
  }
  return tidy(lines.join('\n'));
}

const isLeaf = (node: RichTextNode): node is RichTextLeaf => typeof (node as RichTextLeaf).text === 'string';
const blockTypes = /^(p|h[1-6]|ul|ol|li|lic|blockquote|code_block)$/;

function leafMarkers(leaf: RichTextLeaf, marks: Marks): string {
  if (leaf.code === true) return '`';
  return [
    leaf.bold === true && !marks.bold ? '*' : '',
    leaf.italic === true && !marks.italic ? '_' : '',
    (leaf.strikeThrough === true || leaf.strikethrough === true) && !marks.strike ? '~' : '',
  ].join('');
}

/** Inline nodes; neighbouring leaves with the same marks are wrapped once ("*Olá Rui*", not "*Olá* *Rui*"). */
function slateInline(nodes: readonly RichTextNode[], marks: Marks): string {
  let out = '';
  let pending = { text: '', markers: '' };
  const flush = () => {
    out += wrap(pending.text, pending.markers);
    pending = { text: '', markers: '' };
  };
  for (const node of nodes) {
    if (isLeaf(node)) {
      const markers = leafMarkers(node, marks);
      if (markers !== pending.markers) flush();
      pending = { text: pending.text + node.text, markers };
      continue;
    }
    flush();
    if (node.type === 'a') out += linkText(slateInline(node.children, marks), node.url ?? '');
    else if (node.children.some((child) => !isLeaf(child) && blockTypes.test(child.type ?? ''))) out += slateBlocks(node.children, 0);
    else out += slateInline(node.children, marks);
  }
  flush();
  return out;
}

function slateList(list: RichTextElement, depth: number): string {
  const lines: string[] = [];
  let number = 0;
  for (const item of list.children) {
    if (isLeaf(item)) continue;
    number++;
    const nested = item.children.filter((child) => !isLeaf(child) && (child.type === 'ul' || child.type === 'ol'));
    const own = item.children.filter((child) => !nested.includes(child));
    const bullet = list.type === 'ol' ? `${number}.` : '•';
    const text = own.map((child) => (isLeaf(child) ? slateInline([child], noMarks) : slateInline(child.children, noMarks))).join(' ');
    lines.push(`${'  '.repeat(depth)}${bullet} ${text.trim()}`);
    for (const child of nested) lines.push(slateList(child as RichTextElement, depth + 1));
  }
  return lines.join('\n');
}

function slateBlocks(nodes: readonly RichTextNode[], depth: number): string {
  return nodes
    .map((node) => {
      if (isLeaf(node)) return slateInline([node], noMarks);
      const type = node.type ?? 'p';
      if (/^h[1-6]$/.test(type)) return wrap(slateInline(node.children, { ...noMarks, bold: true }), '*');
      if (type === 'ul' || type === 'ol') return slateList(node, depth);
      if (type === 'blockquote') return `> ${slateInline(node.children, noMarks)}`;
      if (type === 'code_block') return `\`\`\`\n${slateBlocks(node.children, depth)}\n\`\`\``;
      return slateInline([node], noMarks);
    })
    .join('\n');
}

/** Typebot's Slate rich text as WhatsApp text; each paragraph is a line, an empty paragraph a blank line. */
export function richTextToWhatsApp(richText: readonly RichTextNode[]): string {
  return tidy(slateBlocks(richText, 0));
}

// ---- A bot turn as WhatsApp messages -------------------------------------------------------

export type MediaType = 'image' | 'video' | 'audio' | 'file';
export type WhatsAppPart = { kind: 'text'; text: string } | { kind: 'media'; url: string; mediaType: MediaType; caption: string | null };

export const isChoiceInput = (input: ChatInput | null | undefined): boolean =>
  input?.type === 'choice input' || input?.type === 'picture choice input';

export const isFileInput = (input: ChatInput | null | undefined): boolean => input?.type === 'file input';

const itemLabel = (item: ChoiceItem) => item.content ?? item.title ?? item.value ?? '';

function videoLink(content: Extract<ChatMessage, { type: 'video' }>['content']): string | undefined {
  if (content.url) return content.url;
  if (content.id && content.type === 'youtube') return `https://www.youtube.com/watch?v=${content.id}`;
  if (content.id && content.type === 'vimeo') return `https://vimeo.com/${content.id}`;
  return undefined;
}

const imageTypes = ['jpg', 'jpeg', 'png', 'webp', 'heic', 'heif', 'gif'];
const normalizeExtension = (type: string) => type.trim().toLowerCase().replace(/^\./, '');

/** Allowed extensions of a file input, or null when it takes any file. */
function allowedExtensions(input: ChatInput): string[] | null {
  const allowed = input.options?.allowedFileTypes;
  const types = (allowed?.types ?? []).map(normalizeExtension).filter((type) => type !== '');
  return allowed?.isEnabled === true && types.length > 0 ? types : null;
}

/** "Envie uma fotografia ou um PDF.", said only when the bot itself said nothing. */
function fileHint(input: ChatInput): string {
  const allowed = allowedExtensions(input);
  const photos = allowed === null || allowed.some((type) => imageTypes.includes(type));
  const pdf = allowed === null || allowed.includes('pdf');
  const others = allowed !== null && allowed.some((type) => type !== 'pdf' && !imageTypes.includes(type));
  if (others || (!photos && !pdf)) return 'Envie o ficheiro pedido.';
  if (photos && pdf) return 'Envie uma fotografia ou um PDF.';
  return photos ? 'Envie uma fotografia.' : 'Envie um PDF.';
}

function choicePrompt(input: ChatInput): string {
  const lines = (input.items ?? []).map((item, index) => {
    const description = input.type === 'picture choice input' && item.description ? ` - ${item.description}` : '';
    return `${index + 1}. ${itemLabel(item)}${description}`;
  });
  if (lines.length > 1 && input.options?.isMultipleChoice === true) {
    lines.push('', 'Pode escolher várias opções, separadas por vírgulas (por exemplo: 1, 3).');
  }
  return lines.join('\n');
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
        addText(content.type === 'markdown' ? markdownToWhatsApp(content.markdown) : richTextToWhatsApp(content.richText));
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

// ---- Files --------------------------------------------------------------------------------

/** Extensions Typebot may see in an upload's URL, by MIME type (the first is the usual one). */
const extensionsByMime: Record<string, string[]> = {
  'image/jpeg': ['jpg', 'jpeg'], 'image/png': ['png'], 'image/webp': ['webp'], 'image/gif': ['gif'],
  'image/heic': ['heic'], 'image/heif': ['heif'], 'application/pdf': ['pdf'],
  'video/mp4': ['mp4'], 'video/3gpp': ['3gp'], 'audio/ogg': ['ogg', 'opus'], 'audio/mpeg': ['mp3'], 'audio/mp4': ['m4a'],
  'text/plain': ['txt'], 'application/msword': ['doc'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['docx'],
};

/** "image/jpeg; x=y" → ["jpg", "jpeg"]; "foto.JPG" or ".jpg" or "jpg" → ["jpg"]. */
function extensionsOf(file: string): string[] {
  const value = file.trim().toLowerCase();
  if (value.includes('/')) return extensionsByMime[value.split(';')[0]!.trim()] ?? [];
  return [normalizeExtension(value.slice(value.lastIndexOf('.') + 1))].filter((ext) => ext !== '');
}

/**
 * The extension to give an upload so the file input takes its URL (Typebot checks the URL's
 * extension against `allowedFileTypes`): one the input allows, else the usual one for the
 * type; null when the input refuses this type or is no file input.
 */
export function uploadExtension(input: ChatInput | null | undefined, mimetypeOrExtension: string): string | null {
  if (!input || !isFileInput(input)) return null;
  const candidates = extensionsOf(mimetypeOrExtension);
  const allowed = allowedExtensions(input);
  if (allowed === null) return candidates[0] ?? 'bin';
  return candidates.find((ext) => allowed.includes(ext)) ?? null;
}

/** Whether a file input takes a file of this MIME type, extension or file name. */
export function acceptsFile(input: ChatInput | null | undefined, mimetypeOrExtension: string): boolean {
  return uploadExtension(input, mimetypeOrExtension) !== null;
}
