/**
 * The chat workflow (workflows/chat.ts) and its bot (workflows/chat-bot.ts) on the real Temporal
 * server, with stub activities instead of Chatwoot, WPPConnect and Typebot: each test gets its own
 * task queue and worker running the run's workflow bundle, the stubs record every call and answer
 * as the real activities would, and the chats it starts are terminated when it ends.
 */
import { createHmac, randomInt, randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { BotActivities } from '../../activities/bot/index.ts';
import type { BridgeActivities } from '../../activities/bridge/index.ts';
import type { BotSettings, BotTurn } from '../../domain/bot.ts';
import {
  chatWorkflowId, type AgentReply, type BlindIndex, type ChatEvent, type ChatwootLink, type ConversationControl, type DeliveryAck, type InboundMessage,
  type RelayResult,
} from '../../domain/chat.ts';
import type { ChatInput as TypebotInput } from '../../domain/typebot-chat.ts';
import {
  chatEventsSignal, chatStateQuery, chatWorkflowType, type chat, type ChatEventsArgs, type ChatInput, type ChatState,
} from '../../workflows/chat.ts';
import { eventually, testEnvironment } from './test-system.ts';

type RelayInput = Parameters<BridgeActivities['handleChatEvents']>[0];
export type StartBotInput = Parameters<BotActivities['startBot']>[0];
export type AnswerBotInput = Parameters<BotActivities['answerBot']>[0];
export type BotSaysInput = Parameters<BotActivities['botSays']>[0];

/** One call of the stub `handleChatEvents`, as the workflow made it. */
export interface RelayCall {
  chatId: string;
  /** The chat workflow's run that made the call. */
  runId: string;
  events: ChatEvent[];
  chatwoot: ChatwootLink | null;
  /** Run as a local activity (the workflow's first try) or as a regular one (its fallback). */
  local: boolean;
  attempt: number;
  outcome: 'in progress' | 'relayed' | 'failed';
}

/** A relay call held until the test opens it. */
export interface Gate {
  open(): void;
}

/** The registration bot's settings with timings long enough not to matter unless a test shortens them. */
export const botSettings = (overrides: Partial<BotSettings> = {}): BotSettings => ({
  keywords: ['registo', 'quero ser motorista'],
  startOnNewConversation: false,
  reminderAfterMs: 60_000,
  sessionTtlMs: 120_000,
  ...overrides,
});

/** What the stub bot asks after each turn. */
export const botQuestion: TypebotInput = { id: 'nome', type: 'text input' };

/** A delivery ack of a message whose id starts with this was, for the stub relay, typed on the company phone. */
const typedOnPhonePrefix = 'true_typed-on-company-phone_';

/**
 * Stub activities for the chat workflow: `handleChatEvents` (the bridge) and the bot's `startBot`,
 * `answerBot` and `botSays`. They record their calls and answer like the real ones: the relay links
 * the chat to a Chatwoot conversation (new on a chat's first inbound message), reports acks of
 * messages typed on the company phone, and carries the worker's bot settings (`bot`).
 */
export class ChatActivityStubs {
  readonly relays: RelayCall[] = [];
  readonly starts: StartBotInput[] = [];
  readonly answers: AnswerBotInput[] = [];
  readonly says: BotSaysInput[] = [];
  /** The settings every relay result carries (null: no bot; undefined: results without the field, as recorded before it existed). */
  bot: BotSettings | null | undefined;

  private readonly plans: Array<{ hold?: Promise<void>; fail?: boolean }> = [];
  private readonly gates: Gate[] = [];
  private readonly links = new Map<string, ChatwootLink>();
  private readonly listeners = new Set<() => void>();
  private sessions = 0;

  constructor(bot: BotSettings | null | undefined) {
    this.bot = bot;
  }

  /** The next relay call not yet planned throws (Chatwoot or WPPConnect down). */
  failNextRelay(): void {
    this.plans.push({ fail: true });
  }

  /** The next relay call not yet planned waits until the gate is opened (then fails if `fail`). */
  holdNextRelay(options: { fail?: boolean } = {}): Gate {
    let open!: () => void;
    const hold = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.plans.push({ hold, ...options });
    const gate = { open };
    this.gates.push(gate);
    return gate;
  }

  /** Lets every held relay go (before the worker shuts down, which waits for its activities). */
  openAllGates(): void {
    for (const gate of this.gates) gate.open();
  }

  /** Resolves with `check`'s value once it is not undefined, looked at again after every stub call. */
  until<T>(check: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const look = () => {
        const value = check();
        if (value === undefined) return;
        clearTimeout(timer);
        this.listeners.delete(look);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(look);
        reject(new Error(`Timed out waiting for ${what}`));
      }, timeoutMs);
      this.listeners.add(look);
      look();
    });
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  readonly activities = {
    handleChatEvents: async (input: RelayInput): Promise<RelayResult> => {
      const { info } = Context.current();
      const call: RelayCall = { chatId: input.chatId, runId: info.workflowExecution?.runId ?? '', events: input.events, chatwoot: input.chatwoot, local: info.isLocal, attempt: info.attempt, outcome: 'in progress' };
      this.relays.push(call);
      const plan = this.plans.shift() ?? {};
      this.changed();
      try {
        if (plan.hold !== undefined) await plan.hold;
        if (plan.fail === true) throw new Error('Chatwoot is unavailable (stub)');
        let link = input.chatwoot ?? this.links.get(input.chatId) ?? null;
        let newConversation = false;
        if (link === null && input.events.some((event) => event.kind === 'inbound')) {
          link = { contactId: randomInt(1, 1_000_000), conversationId: randomInt(1, 1_000_000) };
          newConversation = true;
        }
        if (link !== null) this.links.set(input.chatId, link);
        const companyPhoneMessages = input.events.flatMap((event) => (event.kind === 'ack' && event.ack === 1 && event.whatsappId.startsWith(typedOnPhonePrefix) ? [event.whatsappId] : []));
        call.outcome = 'relayed';
        return {
          chatwoot: link, companyPhone: companyPhoneMessages.length > 0, companyPhoneMessages, newConversation, ...(this.bot === undefined ? {} : { bot: this.bot }),
        };
      } catch (error) {
        call.outcome = 'failed';
        throw error;
      } finally {
        this.changed();
      }
    },

    startBot: async (input: StartBotInput): Promise<BotTurn> => {
      this.starts.push(input);
      this.sessions += 1;
      this.changed();
      return { sessionId: `session-${this.sessions}-${randomUUID()}`, awaiting: botQuestion, gone: false };
    },

    answerBot: async (input: AnswerBotInput): Promise<BotTurn> => {
      this.answers.push(input);
      this.changed();
      return { sessionId: input.session.sessionId, awaiting: botQuestion, gone: false };
    },

    botSays: async (input: BotSaysInput): Promise<void> => {
      this.says.push(input);
      this.changed();
    },
  } satisfies Pick<BridgeActivities, 'handleChatEvents'> & BotActivities;
}

let eventCounter = 0;
const nextNumber = () => ++eventCounter;

/** The chats' keyed hash in these workflow tests (no system, so no index key of its own): any keyed hash will do. */
export const testChatKeys: BlindIndex = { index: (kind, value) => createHmac('sha256', 'workflow-tests').update(`${kind}|${value}`).digest('base64url') };

/** One WhatsApp chat's workflow, started and fed like the API's hand-off does (api/hand-offs/chat.ts). */
export class TestChat {
  readonly chatId = `3519${String(randomInt(10_000_000, 99_999_999))}-${randomUUID().slice(0, 8)}@c.us`;
  readonly workflowId = chatWorkflowId(testChatKeys, this.chatId);

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly stubs: ChatActivityStubs,
    private input: Omit<ChatInput, 'chatId'>,
  ) {}

  /** Changes the input the chat will be started with (e.g. what a continue-as-new carries, built from this chat's events). */
  startWith(input: Partial<Omit<ChatInput, 'chatId'>>): void {
    this.input = { ...this.input, ...input };
  }

  /** The chat's latest run. */
  handle(runId?: string): WorkflowHandle<typeof chat> {
    return this.client.workflow.getHandle<typeof chat>(this.workflowId, runId);
  }

  /** Signal-with-start, as the hand-off does; `legacySettings` is the second argument histories before the relay results carried settings had. */
  async send(events: ChatEvent[], ...legacySettings: [] | [BotSettings | null]): Promise<void> {
    await this.client.workflow.signalWithStart<typeof chat, ChatEventsArgs>(chatWorkflowType, {
      workflowId: this.workflowId,
      taskQueue: this.taskQueue,
      args: [{ chatId: this.chatId, ...this.input }],
      signal: chatEventsSignal,
      signalArgs: [events, ...legacySettings],
    });
  }

  /** A signal to the running chat only: fails if it has ended. */
  async signal(events: ChatEvent[]): Promise<void> {
    await this.handle().signal(chatEventsSignal, events);
  }

  state(): Promise<ChatState> {
    return this.handle().query(chatStateQuery);
  }

  /**
   * Waits until this run of the chat has handled `count` events and is between turns (nothing
   * queued, no relay, bot step or reminder in the works): whatever those events cause has happened.
   */
  settled(count: number, timeoutMs = 15_000): Promise<ChatState> {
    return eventually(async () => {
      const state = await this.state();
      return state.handled >= count && state.queued === 0 && !state.busy ? state : undefined;
    }, timeoutMs, `chat ${this.chatId} to have handled ${count} event(s) and settled`);
  }

  /** Waits until the chat's latest run has closed; returns how (COMPLETED, CONTINUED_AS_NEW...). */
  ended(timeoutMs = 15_000): Promise<string> {
    return eventually(async () => {
      const { status } = await this.handle().describe();
      return status.name === 'RUNNING' ? undefined : status.name;
    }, timeoutMs, `chat ${this.chatId} to end`);
  }

  /** Every event of this chat in a relay call that succeeded, in call order. */
  relayed(): ChatEvent[] {
    return this.relayCalls().filter((call) => call.outcome === 'relayed').flatMap((call) => call.events);
  }

  relayCalls(): RelayCall[] {
    return this.stubs.relays.filter((call) => call.chatId === this.chatId);
  }

  starts(): StartBotInput[] {
    return this.stubs.starts.filter((call) => call.chatId === this.chatId);
  }

  answers(): AnswerBotInput[] {
    return this.stubs.answers.filter((call) => call.chatId === this.chatId);
  }

  says(): BotSaysInput[] {
    return this.stubs.says.filter((call) => call.chatId === this.chatId);
  }

  /** Every run of the chat, newest first (visibility is eventually consistent: wait on what you expect). */
  async runs(): Promise<Array<{ runId: string; status: string }>> {
    const runs: Array<{ runId: string; status: string }> = [];
    for await (const execution of this.client.workflow.list({ query: `WorkflowId = '${this.workflowId}'` })) {
      runs.push({ runId: execution.runId, status: execution.status.name });
    }
    return runs;
  }

  async terminateIfRunning(): Promise<void> {
    try {
      await this.handle().terminate('test over');
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  }

  // ---- The chat's events ------------------------------------------------------------------

  /** A driver's text message; WhatsApp's timestamp (seconds) grows with each one unless given. */
  message(text: string, options: { timestamp?: number; senderName?: string; receivedAt?: number } = {}): InboundMessage {
    const n = nextNumber();
    return {
      kind: 'inbound', whatsappId: `false_${this.chatId}_M${n}`, type: 'chat', text, mediaKey: null, mimetype: null, filename: null,
      quotedWhatsappId: null, timestamp: options.timestamp ?? 1_765_000_000 + n, senderName: options.senderName ?? 'Rui',
      ...(options.receivedAt === undefined ? {} : { receivedAt: options.receivedAt }),
    };
  }

  /** An agent's reply in Chatwoot. */
  reply(text: string): AgentReply {
    return { kind: 'outbound', chatwootMessageId: nextNumber(), conversationId: 1, text, attachments: [], quotedWhatsappId: null };
  }

  ack(whatsappId: string, ack: number): DeliveryAck {
    return { kind: 'ack', whatsappId, ack };
  }

  /** The first ack of a message someone typed on the company phone (the stub relay reports `companyPhone`). */
  typedOnCompanyPhone(): DeliveryAck {
    return { kind: 'ack', whatsappId: `${typedOnPhonePrefix}${this.chatId}_${nextNumber()}`, ack: 1 };
  }

  control(control: ConversationControl['control']): ConversationControl {
    return { kind: 'control', control, ref: `ref-${nextNumber()}` };
  }
}

export interface ChatWorker {
  stubs: ChatActivityStubs;
  /** A new chat on this worker's task queue (started by its first `send`). */
  chat(input?: Partial<Omit<ChatInput, 'chatId'>>): TestChat;
}

/**
 * Runs `body` with a worker of its own (a unique task queue, the run's workflow bundle, the stubs as
 * activities), then opens held relays, terminates the chats still running and shuts the worker down.
 */
export async function withChatWorker<T>(env: TestWorkflowEnvironment, stubs: ChatActivityStubs, body: (worker: ChatWorker) => Promise<T>): Promise<T> {
  const taskQueue = `test-chat-workflow-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: testEnvironment().bundlePath },
    activities: stubs.activities,
  });
  const chats: TestChat[] = [];
  return worker.runUntil(async () => {
    try {
      return await body({
        stubs,
        chat: (input = {}) => {
          const created = new TestChat(env.client, taskQueue, stubs, { idleTimeoutMs: 60_000, batchSize: 10, ...input });
          chats.push(created);
          return created;
        },
      });
    } finally {
      stubs.openAllGates();
      await Promise.all(chats.map((created) => created.terminateIfRunning()));
    }
  });
}
