/**
 * Typebot's text bubbles (Markdown, or Slate rich text) as WhatsApp formatting: *bold*,
 * _italic_, ~strike~, links spelled out. Pure.
 */
import type { RichTextElement, RichTextLeaf, RichTextNode } from './typebot-chat.ts';

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

/**
 * An agent's reply signed with their name in bold on a line of its own ("*Ana:*"), so a driver
 * knows who answers. The name loses WhatsApp's formatting marks and line breaks, which would
 * break the bold; a name with nothing left, or an empty reply, leaves the reply as it is.
 */
export function signedByAgent(name: string, text: string): string {
  const plain = name.replace(/[*_~`]/g, '').replace(/\s+/g, ' ').trim();
  if (plain === '') return text;
  return text.trim() === '' ? `*${plain}:*` : `*${plain}:*\n${text}`;
}
