/**
 * What bubbles and inputs look like in a chat response (CONTRACTS.md §3.2): text as rich
 * text or markdown, media with variables filled in, and the input block the bot waits on.
 */
import type { FlowBlock, FlowItem, FlowVariable, TypebotFlow } from '../flow-types.ts';
import { BlockType } from '../flow-types.ts';
import { richTextToMarkdown, substituteRichText } from '../rich-text.ts';
import { parseVariables } from '../variables.ts';
import { executeCondition } from './condition.ts';

export type TextFormat = 'richText' | 'markdown';

export interface ChatMessage {
  id: string;
  type: string;
  content: Record<string, unknown>;
}

/** Every string inside `value` with its `{{Variables}}` filled in (deepParseVariables). */
function deepParse<T>(value: T, variables: readonly FlowVariable[]): T {
  if (typeof value === 'string') return parseVariables(value, variables) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => deepParse(item, variables)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, deepParse(inner, variables)])) as T;
  }
  return value;
}

/** A plain text message (the retry message of an invalid answer). */
export function textMessage(id: string, text: string, format: TextFormat): ChatMessage {
  return {
    id,
    type: BlockType.text,
    content: format === 'richText' ? { type: 'richText', richText: [{ type: 'p', children: [{ text }] }] } : { type: 'markdown', markdown: text },
  };
}

export function bubbleMessage(block: FlowBlock, variables: readonly FlowVariable[], format: TextFormat): ChatMessage {
  if (block.type === BlockType.text) {
    const richText = substituteRichText(block.content?.richText ?? [], variables);
    return { id: block.id, type: block.type, content: format === 'richText' ? { type: 'richText', richText } : { type: 'markdown', markdown: richTextToMarkdown(richText) } };
  }
  const content = deepParse(block.content ?? {}, variables);
  if (block.type === BlockType.embed && typeof content.height === 'string') content.height = Number.parseFloat(content.height);
  return { id: block.id, type: block.type, content };
}

/** Choice items the driver may pick: labels filled in, items whose display condition fails left out. */
export function displayedItems(block: FlowBlock, variables: readonly FlowVariable[]): FlowItem[] {
  return (block.items ?? [])
    .filter((item) => item.displayCondition?.isEnabled !== true || executeCondition(item.displayCondition.condition, variables))
    .map((item) => ({ ...item, ...(typeof item.content === 'string' ? { content: parseVariables(item.content, variables) } : {}) }));
}

/** The `input` of a response: the block as the flow has it, variables filled in. */
export function inputView(block: FlowBlock, variables: readonly FlowVariable[], flow: TypebotFlow): Record<string, unknown> {
  const { content: _content, ...rest } = block;
  const view: Record<string, unknown> = block.type === BlockType.choiceInput ? { ...rest, items: displayedItems(block, variables) } : deepParse(rest, variables);
  const prefilled = variables.find((variable) => variable.id === block.options?.variableId)?.value;
  if (flow.settings.general?.isInputPrefillEnabled === true && typeof prefilled === 'string' && prefilled !== '') view.prefilledValue = prefilled;
  return view;
}
