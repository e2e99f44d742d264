/**
 * Text bubbles: Typebot stores Slate JSON (paragraphs of text leaves with bold, italic,
 * underline marks; links). Variables are replaced inside each leaf, then the bubble is
 * answered as that rich text or as markdown (packages/rich-text convertRichTextToMarkdown:
 * bold **x**, italic _x_, one paragraph per line, an empty paragraph is an empty line).
 */
import type { FlowVariable } from './flow-types.ts';
import { parseVariables } from './variables.ts';

interface TextLeaf {
  text: string;
  bold?: boolean;
  italic?: boolean;
  underline?: boolean;
  [mark: string]: unknown;
}

interface RichElement {
  type?: string;
  url?: string;
  children: RichNode[];
  [field: string]: unknown;
}

type RichNode = TextLeaf | RichElement;

const isLeaf = (node: RichNode): node is TextLeaf => typeof (node as TextLeaf).text === 'string';
const isNode = (value: unknown): value is RichNode =>
  typeof value === 'object' && value !== null && (typeof (value as TextLeaf).text === 'string' || Array.isArray((value as RichElement).children));

/** The rich text with every `{{Variable}}` replaced, marks and structure kept. */
export function substituteRichText(nodes: readonly unknown[], variables: readonly FlowVariable[]): RichNode[] {
  return nodes.filter(isNode).map((node): RichNode => {
    if (isLeaf(node)) return { ...node, text: parseVariables(node.text, variables) };
    return {
      ...node,
      ...(typeof node.url === 'string' ? { url: parseVariables(node.url, variables) } : {}),
      children: substituteRichText(node.children, variables),
    };
  });
}

/** Markers go around the text, whitespace stays outside: " **x** " rather than "** x **". */
function mark(text: string, marker: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return text;
  return text.replace(trimmed, `${marker}${trimmed}${marker.split('').reverse().join('')}`);
}

function inlineMarkdown(node: RichNode): string {
  if (isLeaf(node)) {
    if (node.bold === true && node.italic === true) return mark(node.text, '***');
    let text = node.text;
    if (node.bold === true) text = mark(text, '**');
    if (node.italic === true) text = mark(text, '_');
    return text;
  }
  const inner = node.children.map(inlineMarkdown).join('');
  return node.type === 'a' ? `[${inner}](${node.url ?? ''})` : inner;
}

export function richTextToMarkdown(nodes: readonly RichNode[]): string {
  return nodes.map(inlineMarkdown).join('\n');
}
