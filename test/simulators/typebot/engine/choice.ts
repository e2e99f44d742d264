/**
 * Choice input replies (CONTRACTS.md §3.3, bot-engine parseSingleChoiceReply and
 * parseMultipleChoiceReply). Single: items are tried longest label first; one matches when
 * `metadata.replyId` or the reply is its id, or the trimmed reply equals its trimmed value or
 * label, case-sensitive. "1" does not pick the first item. The answer is value, else label.
 * Multiple: ids, values, labels and 1-based positions found in the reply as whole words,
 * ignoring case; the answer joins the matched items' values or labels with ", ".
 */
import type { FlowItem } from '../flow-types.ts';

export type ParsedReply = { status: 'fail' } | { status: 'skip' } | { status: 'success'; content: string; outgoingEdgeId?: string };

const label = (item: FlowItem): string | undefined => (typeof item.content === 'string' ? item.content : undefined);
const longestLabelFirst = (items: readonly FlowItem[]) => [...items].sort((a, b) => (label(b)?.length ?? 0) - (label(a)?.length ?? 0));

export function parseSingleChoiceReply(reply: string, items: readonly FlowItem[], replyId: string | undefined): ParsedReply {
  const text = reply.trim();
  const matched = longestLabelFirst(items).find(
    (item) =>
      (replyId !== undefined && replyId !== '' && item.id === replyId) ||
      item.id === reply ||
      (item.value !== undefined && item.value !== '' && text === item.value.trim()) ||
      (label(item) !== undefined && label(item) !== '' && text === label(item)?.trim()),
  );
  if (matched === undefined) return { status: 'fail' };
  const content = matched.value !== undefined && matched.value !== '' ? matched.value : label(matched);
  if (content === undefined || content === '') return { status: 'fail' };
  return { status: 'success', content, ...(matched.outgoingEdgeId === undefined ? {} : { outgoingEdgeId: matched.outgoingEdgeId }) };
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `phrase` as a stand-alone run of words in `text` (letters, digits and marks are word characters). */
function containsWholePhrase(text: string, phrase: string): boolean {
  const words = phrase.trim().split(/\s+/u).filter((word) => word !== '');
  if (words.length === 0 || text === '') return false;
  const edge = '[^\\p{L}\\p{N}\\p{M}]';
  return new RegExp(`(?:^|${edge})${words.map(escapeRegex).join('\\s+')}(?=$|${edge})`, 'ui').test(text);
}

export function parseMultipleChoiceReply(reply: string, items: readonly FlowItem[]): ParsedReply {
  let remaining = reply;
  const matched = new Set<string>();
  const take = (item: FlowItem, phrase: string | undefined) => {
    if (matched.has(item.id) || phrase === undefined || phrase === '' || !containsWholePhrase(remaining, phrase)) return;
    remaining = remaining.replace(phrase, '').trim();
    matched.add(item.id);
  };
  const ordered = longestLabelFirst(items);
  for (const item of ordered) take(item, item.id);
  for (const item of ordered) take(item, item.value);
  for (const item of ordered) take(item, label(item));
  items.forEach((item, index) => take(item, String(index + 1)));
  if (matched.size === 0) return { status: 'fail' };
  const content = items
    .filter((item) => matched.has(item.id))
    .map((item) => (item.value ?? label(item) ?? '').trim())
    .join(', ');
  return { status: 'success', content };
}
