/**
 * The Typebot Chat API as the WhatsApp bridge sees it (CONTRACTS.md §3.2-§3.3): the parts of a
 * chat response it uses, and what its inputs accept. Rendering is in whatsapp-formatting.ts and
 * bot-dialogue.ts. Pure: workflows import it.
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


export const isChoiceInput = (input: ChatInput | null | undefined): boolean =>
  input?.type === 'choice input' || input?.type === 'picture choice input';

export const isFileInput = (input: ChatInput | null | undefined): boolean => input?.type === 'file input';

export const imageTypes = ['jpg', 'jpeg', 'png', 'webp', 'heic', 'heif', 'gif'];
export const normalizeExtension = (type: string) => type.trim().toLowerCase().replace(/^\./, '');

/** Allowed extensions of a file input, or null when it takes any file. */
export function allowedExtensions(input: ChatInput): string[] | null {
  const allowed = input.options?.allowedFileTypes;
  const types = (allowed?.types ?? []).map(normalizeExtension).filter((type) => type !== '');
  return allowed?.isEnabled === true && types.length > 0 ? types : null;
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

