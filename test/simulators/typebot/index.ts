/**
 * A stand-in for a self-hosted Typebot viewer (v3.18, CONTRACTS.md §3) for end-to-end tests
 * and the newcomers' sandbox: it runs a real exported flow through the Chat API, calls HTTP
 * Request blocks' URLs for real, and holds uploads in an S3-style bucket. When a client
 * disagrees with it, fix the client.
 */
import { randomBytes } from 'node:crypto';
import { buildTypebotApp } from './app.ts';
import type { TypebotFaults } from './faults.ts';
import type { Answer, ChatLog, RequestRecord, SimulatorState, WebhookCall } from './state.ts';
import { createSimulatorState } from './state.ts';
import { loadFlow } from './load-flow.ts';
import type { VariableValue } from './flow-types.ts';
import { variableValuesByName } from './variables.ts';

export type { FaultStatus, TypebotFaults } from './faults.ts';
export type { TypebotFlow } from './flow-types.ts';
export type { Answer, ChatLog, RequestRecord, WebhookCall } from './state.ts';
export { loadFlow } from './load-flow.ts';

export interface SessionSnapshot {
  id: string;
  resultId: string;
  /** The input block waiting for a reply (undefined: the flow ended inside startChat). */
  currentBlockId?: string;
  currentBlockType?: string;
  variables: Record<string, VariableValue>;
  updatedAt: Date;
}

export interface ResultSnapshot {
  id: string;
  sessionId: string;
  isCompleted: boolean;
  hasStarted: boolean;
  /** By variable name (or group title for inputs without a variable). */
  answers: Record<string, string>;
  variables: Record<string, VariableValue>;
  logs: ChatLog[];
}

export interface UploadSnapshot {
  fileUrl: string;
  key: string;
  contentType: string;
  size: number;
  bytes: Buffer;
}

export interface TypebotSimulator {
  /** Base URL, e.g. http://127.0.0.1:PORT; the Chat API is under /api. */
  url: string;
  publicId: string;
  faults: TypebotFaults;
  /** Live sessions: the ones still waiting on an input (and ones whose flow ended inside startChat). */
  sessions(): SessionSnapshot[];
  results(): ResultSnapshot[];
  uploads(): UploadSnapshot[];
  /** Every HTTP Request block call made, in order. */
  webhookCalls(): ReadonlyArray<WebhookCall>;
  /** Every answered request, in order (route patterns). */
  requests: ReadonlyArray<RequestRecord>;
  /** Publishes another flow: new sessions use it, running ones keep theirs. */
  setFlow(flow: unknown): void;
  close(): Promise<void>;
}

export interface TypebotSimulatorOptions {
  /** The exported flow (version 6.1 JSON, parsed). Checked on start: unsupported blocks are refused. */
  flow: unknown;
  /** Default cadastro-motorista. */
  publicId?: string;
  port?: number;
  host?: string;
  /** What presignedUrl and fileUrl start with; default the simulator's own URL. */
  publicBaseUrl?: string;
  /** SSRF_ALLOWED_HOSTS: hostnames HTTP Request blocks may reach on RFC 1918 addresses (never loopback). */
  ssrfAllowedHosts?: string[];
  /** NODE_ENV=development on the server: HTTP Request blocks may call http://localhost. Default false. */
  developmentMode?: boolean;
  /** CHAT_API_TIMEOUT set: HTTP Request blocks time out (408). Default true. */
  httpRequestTimeouts?: boolean;
  /** Sessions idle longer than this answer "Session expired" (the Chat API sets none by default). */
  sessionExpiryMs?: number;
  /** NEXT_PUBLIC_BOT_FILE_UPLOAD_MAX_SIZE in MB; default 10 (Typebot Cloud's limit). */
  fileUploadMaxSizeMb?: number;
  now?: () => Date;
}

const byName = (answers: readonly Answer[]) => Object.fromEntries(answers.map((answer) => [answer.key, answer.value]));

function handle(state: SimulatorState, url: string, close: () => Promise<void>): TypebotSimulator {
  const blockType = (id: string | undefined, flow: SimulatorState['flow']) => flow.groups.flatMap((group) => group.blocks).find((block) => block.id === id)?.type;
  return {
    url,
    publicId: state.config.publicId,
    faults: state.faults,
    requests: state.requests,
    sessions: () =>
      [...state.sessions.values()].map((session) => ({
        id: session.id,
        resultId: session.resultId,
        ...(session.currentBlockId === undefined ? {} : { currentBlockId: session.currentBlockId, currentBlockType: blockType(session.currentBlockId, session.flow) }),
        variables: variableValuesByName(session.variables),
        updatedAt: session.updatedAt,
      })),
    results: () =>
      [...state.results.values()].map((result) => ({
        id: result.id,
        sessionId: result.sessionId,
        isCompleted: result.isCompleted,
        hasStarted: result.hasStarted,
        answers: byName(result.answers),
        variables: variableValuesByName(result.variables),
        logs: [...result.logs],
      })),
    uploads: () =>
      [...state.objects.values()].map((object) => ({
        fileUrl: `${state.config.publicBaseUrl}/${state.config.bucket}/${object.key}`,
        key: object.key,
        contentType: object.contentType,
        size: object.bytes.length,
        bytes: object.bytes,
      })),
    webhookCalls: () => state.webhookCalls,
    setFlow(flow) {
      state.flow = loadFlow(flow);
    },
    close,
  };
}

export async function startTypebotSimulator(options: TypebotSimulatorOptions): Promise<TypebotSimulator> {
  const flow = loadFlow(options.flow);
  const state = createSimulatorState(flow, {
    publicId: options.publicId ?? 'cadastro-motorista',
    publicBaseUrl: options.publicBaseUrl ?? '',
    bucket: 'typebot',
    ssrfAllowedHosts: options.ssrfAllowedHosts ?? [],
    developmentMode: options.developmentMode ?? false,
    httpRequestTimeouts: options.httpRequestTimeouts ?? true,
    sessionExpiryMs: options.sessionExpiryMs,
    fileUploadMaxSizeMb: options.fileUploadMaxSizeMb ?? 10,
    storageSecret: randomBytes(16).toString('hex'),
    now: options.now ?? (() => new Date()),
  });
  const closing = new AbortController();
  const { app } = buildTypebotApp(state, closing.signal);
  const url = await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  if (options.publicBaseUrl === undefined) state.config.publicBaseUrl = url;
  return handle(state, url, async () => {
    closing.abort();
    await app.close();
  });
}
