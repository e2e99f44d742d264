/**
 * POST /api/v1/typebots/:publicId/startChat and /api/v1/sessions/:sessionId/continueChat,
 * with the request schemas of viewer.json (a bare string `message` is also accepted on
 * continueChat, as the code does). Bodies that do not fit answer oRPC's 400.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { inputValidationFailed } from '../api-errors.ts';
import { continueChat, startChat, type ContinueChatInput, type StartChatInput } from '../chat.ts';
import type { IncomingMessage } from '../engine/continue-flow.ts';
import type { Reply } from '../engine/parse-reply.ts';
import type { SimulatorState } from '../state.ts';

const textMessage = z.object({
  type: z.literal('text'),
  text: z.string(),
  metadata: z.object({ replyId: z.string().optional() }).optional(),
  attachedFileUrls: z.array(z.string()).optional(),
});
const audioMessage = z.object({ type: z.literal('audio'), url: z.string() });
const commandMessage = z.object({ type: z.literal('command'), command: z.string() });
const message = z.union([textMessage, audioMessage, commandMessage]);
const textBubbleContentFormat = z.enum(['richText', 'markdown']).default('richText');

const startChatBody = z.object({
  message: message.optional(),
  prefilledVariables: z.record(z.string(), z.unknown()).optional(),
  resultId: z.string().optional(),
  isStreamEnabled: z.boolean().optional(),
  isOnlyRegistering: z.boolean().optional(),
  textBubbleContentFormat,
});

const continueChatBody = z.object({
  message: z.preprocess((value) => (typeof value === 'string' ? { type: 'text', text: value } : value), message.nullable().optional()),
  textBubbleContentFormat,
});

type WireMessage = z.infer<typeof message>;

function toReply(wire: WireMessage | null | undefined): IncomingMessage {
  if (wire === null || wire === undefined) return undefined;
  if (wire.type !== 'text') return wire;
  const reply: Reply = { type: 'text', text: wire.text };
  if (wire.metadata?.replyId !== undefined) reply.replyId = wire.metadata.replyId;
  if (wire.attachedFileUrls !== undefined) reply.attachedFileUrls = wire.attachedFileUrls;
  return reply;
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw inputValidationFailed(result.error.issues);
  return result.data;
}

export function chatRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.post<{ Params: { publicId: string } }>('/api/v1/typebots/:publicId/startChat', async (request) => {
    const body = parse(startChatBody, request.body);
    const reply = toReply(body.message);
    const input: StartChatInput = {
      textBubbleContentFormat: body.textBubbleContentFormat,
      ...(reply === undefined || reply.type === 'command' ? {} : { message: reply }),
      ...(body.prefilledVariables === undefined ? {} : { prefilledVariables: body.prefilledVariables }),
      ...(body.isOnlyRegistering === undefined ? {} : { isOnlyRegistering: body.isOnlyRegistering }),
    };
    return startChat(state, request.params.publicId, input);
  });

  app.post<{ Params: { sessionId: string } }>('/api/v1/sessions/:sessionId/continueChat', async (request) => {
    const body = parse(continueChatBody, request.body);
    const input: ContinueChatInput = { textBubbleContentFormat: body.textBubbleContentFormat, message: toReply(body.message) };
    return continueChat(state, request.params.sessionId, input);
  });
}
