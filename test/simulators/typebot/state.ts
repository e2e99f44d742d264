/**
 * Everything the simulated viewer and its bucket know: the published flow, live chat
 * sessions, results (answers and logs, as Typebot's Result/Log tables), stored uploads
 * and the HTTP Request block calls made. Routes change it; index.ts exposes snapshots.
 */
import { randomBytes } from 'node:crypto';
import type { FlowVariable, TypebotFlow } from './flow-types.ts';
import { TypebotFaultSwitches } from './faults.ts';

export interface ChatLog {
  status: 'success' | 'error' | 'info';
  description: string;
  details?: string;
}

export interface Answer {
  /** The variable's name when the input saves into one, else the group title ("Group (2)" for the 2nd input). */
  key: string;
  value: string;
  blockId: string;
}

export interface Session {
  id: string;
  resultId: string;
  /** The flow as published when the session started: a later setFlow does not change running chats. */
  flow: TypebotFlow;
  variables: FlowVariable[];
  answers: Answer[];
  /** The input block waiting for a reply; undefined once the flow has ended. */
  currentBlockId?: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ResultRecord {
  id: string;
  sessionId: string;
  createdAt: Date;
  hasStarted: boolean;
  isCompleted: boolean;
  answers: Answer[];
  variables: FlowVariable[];
  /** Every log, the HTTP Request ones included (published bots leave those out of the chat response). */
  logs: ChatLog[];
}

export interface StoredObject {
  key: string;
  bytes: Buffer;
  contentType: string;
  cacheControl?: string;
  uploadedAt: Date;
}

export interface WebhookCall {
  blockId: string;
  sessionId: string;
  method: string;
  url: string;
  /** The statusCode the block saw: the real one, 408 on timeout, 400 when the SSRF guard refused, 500 on network errors. */
  statusCode: number;
  requestBody?: string;
  responseData?: unknown;
  at: Date;
}

export interface RequestRecord {
  method: string;
  route: string;
  status: number;
  /** When it was answered (ms since the epoch). */
  at: number;
}

export interface SimulatorConfig {
  publicId: string;
  /** Where presignedUrl and fileUrl point (the simulator's own URL unless told otherwise). */
  publicBaseUrl: string;
  bucket: string;
  /** SSRF_ALLOWED_HOSTS: exact hostnames allowed to resolve to RFC 1918 addresses. */
  ssrfAllowedHosts: string[];
  /** NODE_ENV=development: the hostname `localhost` is allowed for HTTP Request blocks. */
  developmentMode: boolean;
  /** CHAT_API_TIMEOUT is set: HTTP Request blocks time out (10 s or the block's timeout). */
  httpRequestTimeouts: boolean;
  sessionExpiryMs?: number;
  /** NEXT_PUBLIC_BOT_FILE_UPLOAD_MAX_SIZE, in MB. */
  fileUploadMaxSizeMb?: number;
  /** Secret the bucket signs POST policies with. */
  storageSecret: string;
  now: () => Date;
}

export interface SimulatorState {
  config: SimulatorConfig;
  flow: TypebotFlow;
  sessions: Map<string, Session>;
  results: Map<string, ResultRecord>;
  objects: Map<string, StoredObject>;
  webhookCalls: WebhookCall[];
  requests: RequestRecord[];
  faults: TypebotFaultSwitches;
  /** The call each session is busy with, if any. */
  sessionQueues: WeakMap<Session, Promise<unknown>>;
}

export function createSimulatorState(flow: TypebotFlow, config: SimulatorConfig): SimulatorState {
  return {
    config,
    flow,
    sessions: new Map(),
    results: new Map(),
    objects: new Map(),
    webhookCalls: [],
    requests: [],
    faults: new TypebotFaultSwitches(),
    sessionQueues: new WeakMap(),
  };
}

/** A cuid2-looking id (Typebot's createId): a letter, then 23 lowercase base-36 characters. */
export function createId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(23);
  return `c${Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('')}`;
}
