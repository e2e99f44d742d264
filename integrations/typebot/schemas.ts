/**
 * Shapes of the Typebot Chat API answers the client relies on (CONTRACTS.md §3.1-§3.2), parsed
 * into the domain's types. Strict about what the bridge uses; message types it cannot show on
 * WhatsApp (custom-embed, future ones) are dropped, unknown fields are left out so workflow
 * histories stay small.
 */
import { z } from 'zod';
import type { ChatInput, ChatMessage, RichTextNode, TypebotStart, TypebotTurn } from '../../domain/typebot-chat.ts';
import { inputTypes } from '../../domain/typebot-chat.ts';

/** Optional in the domain types; Typebot sometimes writes null for "not set". */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? undefined);
const text = optional(z.string());
const flag = optional(z.boolean());

const richTextLeaf = z.object({
  text: z.string(),
  bold: flag,
  italic: flag,
  strikeThrough: flag,
  strikethrough: flag,
  code: flag,
});
const richTextNode: z.ZodType<RichTextNode> = z.lazy(() =>
  z.union([richTextLeaf, z.object({ type: text, url: text, children: z.array(richTextNode) })]),
);

const textContent = z.union([
  z.object({ type: z.literal('markdown'), markdown: z.string() }),
  z.object({ type: z.literal('richText'), richText: optional(z.array(richTextNode)).transform((nodes) => nodes ?? []) }),
]);

const knownMessage = z.discriminatedUnion('type', [
  z.object({ id: z.string(), type: z.literal('text'), content: textContent }),
  z.object({
    id: z.string(),
    type: z.literal('image'),
    content: z.object({ url: text, clickLink: optional(z.object({ url: text, alt: text })) }),
  }),
  z.object({
    id: z.string(),
    type: z.literal('video'),
    content: z.object({ url: text, id: text, type: optional(z.enum(['url', 'youtube', 'vimeo', 'tiktok', 'gumlet'])) }),
  }),
  z.object({ id: z.string(), type: z.literal('audio'), content: z.object({ url: text }) }),
  z.object({ id: z.string(), type: z.literal('embed'), content: z.object({ url: text }) }),
]);
const knownTypes: readonly string[] = ['text', 'image', 'video', 'audio', 'embed'];

const messages: z.ZodType<ChatMessage[], unknown> = optional(z.array(z.looseObject({ type: z.string() })))
  .transform((list) => (list ?? []).filter((message) => knownTypes.includes(message.type)))
  .pipe(z.array(knownMessage));

const choiceItem = z.object({
  id: z.string(),
  content: text,
  value: text,
  title: text,
  description: text,
  pictureSrc: text,
});

const inputOptions = z.object({
  variableId: text,
  isMultipleChoice: flag,
  isRequired: flag,
  isMultipleAllowed: flag,
  allowedFileTypes: optional(z.object({ isEnabled: flag, types: optional(z.array(z.string())) })),
  sizeLimit: optional(z.number()),
  labels: optional(z.object({ placeholder: text, button: text, skip: text })),
  retryMessageContent: text,
  defaultCountryCode: text,
});

const input: z.ZodType<ChatInput | null, unknown> = z
  .object({
    id: z.string(),
    type: z.enum(inputTypes),
    items: optional(z.array(choiceItem)),
    options: optional(inputOptions),
    prefilledValue: text,
  })
  .nullish()
  .transform((value) => value ?? null);

const turnFields = {
  messages,
  input,
  clientSideActions: optional(z.array(z.object({ type: z.string(), expectsDedicatedReply: flag }))).transform((list) => list ?? []),
  logs: optional(z.array(z.object({ status: z.string(), description: z.string() }))).transform((list) => list ?? []),
};

export const continueChatResponse: z.ZodType<TypebotTurn, unknown> = z.object(turnFields);

export const startChatResponse: z.ZodType<TypebotStart, unknown> = z.object({
  ...turnFields,
  sessionId: z.string().min(1),
  resultId: optional(z.string()).transform((id) => id ?? null),
});

/** POST /api/v3/generate-upload-url. */
export const uploadUrlResponse = z.object({
  presignedUrl: z.string().min(1),
  formData: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)),
  fileUrl: z.string().min(1),
  fileType: text,
  maxFileSize: optional(z.number()),
});

/** Every Chat API error: `{defined, code, status, message, data?}` (oRPC). */
export const orpcError = z.object({
  defined: z.boolean().optional(),
  code: z.string(),
  status: z.number().optional(),
  message: z.string(),
});
