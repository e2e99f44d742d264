/**
 * Walks the flow forward as bot-engine walkFlowForward/executeGroup do: from an edge to
 * its group (or to a block inside it), blocks top to bottom; bubbles become messages, an
 * input block stops the walk and becomes `input`, logic and HTTP Request blocks run on
 * the server. A group leaves through its last block's edge, or sooner through the edge a
 * logic block picks. No edge and no input: the flow has ended.
 */
import { ApiError } from '../api-errors.ts';
import type { EdgeTarget, FlowBlock, FlowGroup } from '../flow-types.ts';
import { BlockType, bubbleTypes, inputTypes } from '../flow-types.ts';
import { runHttpRequestBlock } from '../http-request/http-request-block.ts';
import type { ChatLog, Session, SimulatorState } from '../state.ts';
import { executeCondition } from './condition.ts';
import { bubbleMessage, inputView, type ChatMessage, type TextFormat } from './messages.ts';
import { runSetVariable } from './set-variable.ts';

export interface EngineContext {
  state: SimulatorState;
  session: Session;
  format: TextFormat;
}

export interface Turn {
  messages: ChatMessage[];
  input?: Record<string, unknown>;
  logs: ChatLog[];
}

export type WalkStart = { type: 'blocks'; group: FlowGroup; fromIndex: number } | { type: 'edge'; edgeId: string | undefined };

/** Bounds a flow that loops without ever asking anything (the real server stops at CHAT_API_TIMEOUT). */
const maxGroupVisits = 500;

export function edgeTarget(session: Session, edgeId: string | undefined): EdgeTarget | undefined {
  return edgeId === undefined ? undefined : session.flow.edges.find((edge) => edge.id === edgeId)?.to;
}

function locate(session: Session, target: EdgeTarget | undefined): { group: FlowGroup; fromIndex: number } | undefined {
  const group = target === undefined ? undefined : session.flow.groups.find((candidate) => candidate.id === target.groupId);
  if (group === undefined) return undefined;
  const index = target?.blockId === undefined ? 0 : group.blocks.findIndex((block) => block.id === target.blockId);
  return { group, fromIndex: Math.max(index, 0) };
}

/** Runs a logic or integration block; returns where it sends the flow, if anywhere. */
async function runLogic(block: FlowBlock, ctx: EngineContext, turn: Turn): Promise<EdgeTarget | undefined> {
  switch (block.type) {
    case BlockType.condition: {
      const passed = (block.items ?? []).find((item) => typeof item.content === 'object' && executeCondition(item.content, ctx.session.variables));
      return edgeTarget(ctx.session, passed !== undefined ? passed.outgoingEdgeId : block.outgoingEdgeId);
    }
    case BlockType.setVariable:
      runSetVariable(block, ctx.session);
      return edgeTarget(ctx.session, block.outgoingEdgeId);
    case BlockType.jump:
      return block.options?.groupId === undefined ? undefined : { groupId: block.options.groupId, ...(block.options.blockId === undefined ? {} : { blockId: block.options.blockId }) };
    case BlockType.httpRequest:
      turn.logs.push(...(await runHttpRequestBlock(block, ctx.session, ctx.state)));
      return edgeTarget(ctx.session, block.outgoingEdgeId);
    default:
      return undefined;
  }
}

/** Runs blocks of one group; returns the target to go on to, or undefined (an input was reached, or nowhere to go). */
async function runBlocks(blocks: readonly FlowBlock[], ctx: EngineContext, turn: Turn): Promise<EdgeTarget | undefined> {
  let next: EdgeTarget | undefined;
  for (const block of blocks) {
    next = edgeTarget(ctx.session, block.outgoingEdgeId);
    if (bubbleTypes.has(block.type)) {
      if (block.content !== undefined) turn.messages.push(bubbleMessage(block, ctx.session.variables, ctx.format));
      continue;
    }
    if (inputTypes.has(block.type)) {
      ctx.session.currentBlockId = block.id;
      turn.input = inputView(block, ctx.session.variables, ctx.session.flow);
      return undefined;
    }
    const picked = await runLogic(block, ctx, turn);
    if (picked !== undefined) return picked;
  }
  return next;
}

export async function walkFlow(start: WalkStart, ctx: EngineContext): Promise<Turn> {
  const turn: Turn = { messages: [], logs: [] };
  ctx.session.currentBlockId = undefined;
  let position = start.type === 'blocks' ? { group: start.group, fromIndex: start.fromIndex } : locate(ctx.session, edgeTarget(ctx.session, start.edgeId));
  for (let visits = 1; position !== undefined; visits++) {
    if (visits > maxGroupVisits) throw new ApiError('INTERNAL_SERVER_ERROR', `The flow visited ${maxGroupVisits} groups without asking anything`);
    const next = await runBlocks(position.group.blocks.slice(position.fromIndex), ctx, turn);
    if (turn.input !== undefined) return turn;
    position = locate(ctx.session, next);
  }
  return turn;
}
