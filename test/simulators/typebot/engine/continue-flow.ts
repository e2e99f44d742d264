/**
 * A reply to the waiting input (bot-engine continueBotFlow): an invalid one gets the
 * block's retry message and the same input again, nothing saved; a valid one is saved and
 * the flow goes on from the chosen item's edge, the block's edge, or the rest of its group.
 * A command message skips validation and moves on, as in Typebot. A session whose flow
 * has ended (it ended inside startChat) starts again from the start event.
 */
import { ApiError } from '../api-errors.ts';
import type { FlowBlock, FlowGroup } from '../flow-types.ts';
import { BlockType } from '../flow-types.ts';
import { parseVariables } from '../variables.ts';
import { saveAnswer } from './answers.ts';
import { inputView, textMessage, type ChatMessage } from './messages.ts';
import { parseReply, type ParsedReply, type Reply } from './parse-reply.ts';
import { walkFlow, type EngineContext, type Turn } from './walk.ts';

export type IncomingMessage = Reply | { type: 'command'; command: string } | undefined;

export interface ContinueOutcome {
  turn: Turn;
  /** retry: the input again after its retry message; ended: nothing after the input; walk: the flow went on. */
  kind: 'retry' | 'ended' | 'walk';
  lastMessageNewFormat?: string;
}

const emailRetryMessage = "This email doesn't seem to be valid. Can you type it again?";
const invalidMessage = 'Invalid message. Please, try again.';

function retryMessage(ctx: EngineContext, blockId: string, blockType: string, configured: string | undefined): ChatMessage {
  const { variables, flow } = ctx.session;
  const custom = flow.settings.general?.systemMessages?.invalidMessage;
  const text =
    configured !== undefined && configured !== ''
      ? parseVariables(configured, variables)
      : blockType === BlockType.emailInput
        ? emailRetryMessage
        : custom !== undefined && custom !== ''
          ? parseVariables(custom, variables)
          : invalidMessage;
  return textMessage(blockId, text, ctx.format);
}

function findBlock(ctx: EngineContext, blockId: string): { group: FlowGroup; block: FlowBlock; index: number } {
  for (const group of ctx.session.flow.groups) {
    const index = group.blocks.findIndex((block) => block.id === blockId);
    const block = group.blocks[index];
    if (block !== undefined) return { group, block, index };
  }
  throw new ApiError('INTERNAL_SERVER_ERROR', 'Group / block not found');
}

/** The chosen item's edge (single choice), else the block's own. */
function nextEdgeId(block: FlowBlock, reply: ParsedReply | undefined, ctx: EngineContext): string | undefined {
  if (reply?.status !== 'success') return block.outgoingEdgeId;
  if (reply.outgoingEdgeId !== undefined) return reply.outgoingEdgeId;
  if (block.type === BlockType.choiceInput && block.options?.isMultipleChoice !== true) {
    const item = block.items?.find(
      (candidate) => typeof candidate.content === 'string' && parseVariables(candidate.content, ctx.session.variables).normalize() === reply.content.normalize(),
    );
    if (item?.outgoingEdgeId !== undefined) return item.outgoingEdgeId;
  }
  return block.outgoingEdgeId;
}

export async function continueFlow(message: IncomingMessage, ctx: EngineContext): Promise<ContinueOutcome> {
  const { session } = ctx;
  if (session.currentBlockId === undefined) return { turn: await startFlow(ctx, message?.type === 'command' ? undefined : message), kind: 'walk' };
  const { group, block, index } = findBlock(ctx, session.currentBlockId);
  let parsed: ParsedReply | undefined;
  if (message?.type !== 'command') {
    parsed = parseReply(message, block, { variables: session.variables, trustedFileHosts: trustedFileHosts(ctx) });
    if (parsed.status === 'fail') {
      const retry = retryMessage(ctx, block.id, block.type, block.options?.retryMessageContent);
      return { turn: { messages: [retry], input: inputView(block, session.variables, session.flow), logs: [] }, kind: 'retry' };
    }
    if (parsed.status === 'success' && message !== undefined) saveAnswer(session, block, group, parsed.content, message.type === 'text');
  }
  const content = parsed?.status === 'success' ? parsed.content : undefined;
  const lastMessageNewFormat = message?.type === 'text' && content !== undefined && content !== message.text ? content : undefined;
  const edgeId = nextEdgeId(block, parsed, ctx);
  const hasMoreBlocks = index < group.blocks.length - 1;
  if (edgeId === undefined && !hasMoreBlocks) {
    session.currentBlockId = undefined;
    return { turn: { messages: [], logs: [] }, kind: 'ended', ...(lastMessageNewFormat === undefined ? {} : { lastMessageNewFormat }) };
  }
  const turn = await walkFlow(edgeId === undefined ? { type: 'blocks', group, fromIndex: index + 1 } : { type: 'edge', edgeId }, ctx);
  return { turn, kind: 'walk', ...(lastMessageNewFormat === undefined ? {} : { lastMessageNewFormat }) };
}

/**
 * From the start event (startBotFlow). A `message` given to startChat answers the first
 * input when the flow opens with one (nothing said before it); otherwise it is ignored.
 */
export async function startFlow(ctx: EngineContext, message: Reply | undefined): Promise<Turn> {
  const startEdge = ctx.session.flow.events.find((event) => event.type === 'start')?.outgoingEdgeId;
  const opening = await walkFlow({ type: 'edge', edgeId: startEdge }, ctx);
  if (message === undefined || opening.input === undefined || opening.messages.length > 0) return opening;
  const answered = await continueFlow(message, ctx);
  return { ...answered.turn, logs: [...opening.logs, ...answered.turn.logs] };
}

/** Hosts whose file URLs need no top-level domain: localhost and the simulator's own (Typebot: its S3 and app hosts). */
function trustedFileHosts(ctx: EngineContext): string[] {
  return ['localhost', new URL(ctx.state.config.publicBaseUrl).hostname];
}
