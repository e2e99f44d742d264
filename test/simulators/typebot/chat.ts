/**
 * The two Chat API calls as the viewer answers them (bot-engine startChat/continueChat,
 * saveStateToDatabase): sessions, results, response shapes (CONTRACTS.md §3.2). startChat
 * always stores its session; a continueChat that ends the flow deletes it. HTTP Request
 * logs are kept in the result but left out of the answer, as for any published bot.
 */
import { sessionExpired, sessionNotFound, typebotNotFound } from './api-errors.ts';
import { continueFlow, startFlow, type IncomingMessage } from './engine/continue-flow.ts';
import { webhookErrorDescription, webhookSuccessDescription } from './http-request/execute-request.ts';
import type { TextFormat } from './engine/messages.ts';
import type { Reply } from './engine/parse-reply.ts';
import type { Turn } from './engine/walk.ts';
import type { ChatLog, ResultRecord, Session, SimulatorState } from './state.ts';
import { createId } from './state.ts';
import { prefillVariables } from './variables.ts';

export interface StartChatInput {
  message?: Reply;
  prefilledVariables?: Record<string, unknown>;
  textBubbleContentFormat: TextFormat;
  isOnlyRegistering?: boolean;
}

export interface ContinueChatInput {
  message?: IncomingMessage;
  textBubbleContentFormat: TextFormat;
}

const sensitiveDescriptions = new Set([webhookSuccessDescription, webhookErrorDescription]);
const publicLogs = (logs: ChatLog[]) => logs.filter((log) => !sensitiveDescriptions.has(log.description));

/** One call at a time per session, so two replies never interleave their changes. */
function queued<T>(state: SimulatorState, session: Session, work: () => Promise<T>): Promise<T> {
  const run = (state.sessionQueues.get(session) ?? Promise.resolve()).then(work, work);
  state.sessionQueues.set(session, run.catch(() => undefined));
  return run;
}

function recordTurn(state: SimulatorState, session: Session, turn: Turn): void {
  const result = state.results.get(session.resultId);
  if (result === undefined) return;
  result.logs.push(...turn.logs);
  result.answers = session.answers.map((answer) => ({ ...answer }));
  result.variables = session.variables.map((variable) => ({ ...variable }));
  result.hasStarted = session.answers.length > 0;
  if (turn.input === undefined && session.answers.length > 0) result.isCompleted = true;
}

export async function startChat(state: SimulatorState, publicId: string, input: StartChatInput): Promise<Record<string, unknown>> {
  if (publicId !== state.config.publicId) throw typebotNotFound();
  const { flow } = state;
  const now = state.config.now();
  const session: Session = { id: createId(), resultId: createId(), flow, variables: prefillVariables(flow.variables, input.prefilledVariables), answers: [], createdAt: now, updatedAt: now };
  const result: ResultRecord = { id: session.resultId, sessionId: session.id, createdAt: now, hasStarted: false, isCompleted: false, answers: [], variables: [], logs: [] };
  state.results.set(result.id, result);
  state.sessions.set(session.id, session);
  const typebot = { id: flow.id ?? state.config.publicId, version: flow.version, theme: flow.theme, settings: flow.settings, ...(flow.updatedAt === undefined ? {} : { publishedAt: flow.updatedAt }) };
  if (input.isOnlyRegistering === true) return { sessionId: session.id, typebot, messages: [] };

  const turn = await queued(state, session, () => startFlow({ state, session, format: input.textBubbleContentFormat }, input.message));
  recordTurn(state, session, turn);
  return {
    sessionId: session.id,
    typebot,
    messages: turn.messages,
    ...(turn.input === undefined ? {} : { input: turn.input, resultId: session.resultId }),
    ...(turn.logs.length === 0 ? {} : { logs: publicLogs(turn.logs) }),
  };
}

export async function continueChat(state: SimulatorState, sessionId: string, input: ContinueChatInput): Promise<Record<string, unknown>> {
  const session = state.sessions.get(sessionId);
  if (session === undefined) throw sessionNotFound();
  const { sessionExpiryMs, now } = state.config;
  if (sessionExpiryMs !== undefined && session.updatedAt.getTime() + sessionExpiryMs < now().getTime()) throw sessionExpired();

  const outcome = await queued(state, session, () => {
    if (!state.sessions.has(session.id)) throw sessionNotFound(); // a reply queued behind the one that ended the flow
    return continueFlow(input.message, { state, session, format: input.textBubbleContentFormat });
  });
  session.updatedAt = now();
  recordTurn(state, session, outcome.turn);
  if (outcome.turn.input === undefined) state.sessions.delete(session.id);
  const { messages, input: nextInput, logs } = outcome.turn;
  if (outcome.kind === 'retry') return { messages, input: nextInput };
  return {
    messages,
    ...(nextInput === undefined ? {} : { input: nextInput }),
    ...(outcome.kind === 'ended' ? {} : { clientSideActions: [], logs: publicLogs(logs) }),
    ...(outcome.lastMessageNewFormat === undefined ? {} : { lastMessageNewFormat: outcome.lastMessageNewFormat }),
  };
}
