import { spawn } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection, isGrpcServiceError } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
// The SDK's own mapping to the proto enum (the SDK exports it for registering attributes in tests).
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { customSearchAttributes } from '../../workflows/search-attributes.ts';

export interface SearchAttributeDefinition {
  readonly name: string;
  readonly type: SearchAttributeType;
}

export interface DevServerOptions {
  cliPath: string;
  /** Default 127.0.0.1. */
  ip?: string;
  /** gRPC frontend port; default: a free port. */
  port?: number;
  /** Web UI port; default: a free port. Ignored when headless. */
  uiPort?: number;
  /** No Web UI (tests). */
  headless?: boolean;
  /** Where the Web UI decodes encrypted payloads (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
  /** SQLite file for persistence; omitted = in-memory. */
  dbFile?: string;
  /** Default 'default'. */
  namespace?: string;
  /** Server stdout/stderr; default: a temp file, removed by stop() unless the start failed. */
  logFile?: string;
  log?: (line: string) => void;
  /** Registered at every start; default: the project's custom attributes. [] registers none. */
  searchAttributes?: readonly SearchAttributeDefinition[];
  /** How long to wait for the server to answer; default 60 s. */
  startTimeoutMs?: number;
  /** Server dynamic config (`--dynamic-config-value key=JSON`), e.g. a low continue-as-new threshold in tests. */
  dynamicConfig?: Readonly<Record<string, string | number | boolean>>;
}

export interface TemporalDevServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  pid: number;
  logFile: string;
  /** Settles with the reason when the server process ends, whoever ended it. */
  exited: Promise<string>;
  /** SIGTERM, then SIGKILL after a grace period; safe to call more than once. */
  stop(): Promise<void>;
}

const cliTypeNames: Record<SearchAttributeType, string> = {
  TEXT: 'Text', KEYWORD: 'Keyword', INT: 'Int', DOUBLE: 'Double', BOOL: 'Bool', DATETIME: 'Datetime', KEYWORD_LIST: 'KeywordList',
};
// gRPC status codes (@grpc/grpc-js is not a direct dependency).
const grpcAlreadyExists = 6;
const grpcCode = (error: unknown): number | undefined => (isGrpcServiceError(error) ? Number(error.code) : undefined);
const stopGraceMs = 10_000;

const hostPort = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

function indexedValueType(type: SearchAttributeType) {
  const encoded = encodeSearchAttributeIndexedValueType(type);
  if (encoded === undefined) throw new Error(`Unknown search attribute type ${type}`);
  return encoded;
}

async function customAttributesOf(connection: Connection, namespace: string) {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  return customAttributes ?? {};
}

/**
 * Adds the attributes the namespace lacks and returns their names. Idempotent, safe to run
 * concurrently; fails when an attribute exists with another type.
 */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  attributes: readonly SearchAttributeDefinition[],
): Promise<string[]> {
  const added = new Set<string>();
  for (let attempt = 1; ; attempt++) {
    const existing = await customAttributesOf(connection, namespace);
    const missing = attributes.filter((attribute) => {
      const found = existing[attribute.name];
      if (found === undefined) return true;
      if (found !== indexedValueType(attribute.type)) {
        const foundName = Object.keys(cliTypeNames).find((type) => indexedValueType(type as SearchAttributeType) === found);
        throw new Error(`Search attribute ${attribute.name} exists in namespace ${namespace} as ${foundName ?? found}, not ${attribute.type}.`);
      }
      return false;
    });
    if (missing.length === 0) return [...added];
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((attribute) => [attribute.name, indexedValueType(attribute.type)])),
      });
      missing.forEach((attribute) => added.add(attribute.name));
    } catch (error) {
      // Someone else added (some of) them meanwhile: look again.
      if (grpcCode(error) !== grpcAlreadyExists || attempt >= 3) throw error;
    }
  }
}

async function listenOnce(ip: string, port: number): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: ip, port, exclusive: true }, resolve);
  });
  const { port: bound } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return bound;
}

/** The given port if it is free (clear error if not), else a free one not in `taken`. */
async function choosePort(ip: string, wanted: number | undefined, what: string, taken: number[]): Promise<number> {
  if (wanted !== undefined) {
    return listenOnce(ip, wanted).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') throw error;
      throw new Error(`Cannot start the Temporal dev server: ${what} port ${hostPort(ip, wanted)} is already in use (another Temporal server?).`);
    });
  }
  for (;;) {
    const port = await listenOnce(ip, 0);
    if (!taken.includes(port)) return port;
  }
}

/** The log's last lines, after a Go panic's own line (its message is above the stack the tail shows). */
async function logTail(logFile: string, fromByte: number): Promise<string> {
  const lines = await readFile(logFile).then((bytes) => bytes.subarray(fromByte).toString().trimEnd().split('\n'), () => []);
  const panic = lines.find((line) => line.startsWith('panic:'));
  const tail = lines.slice(-15);
  return [...(panic === undefined || tail.includes(panic) ? [] : [panic, '…']), ...tail].join('\n');
}

/** The dev server's process ended before it answered (waitUntilServing). */
class ExitedBeforeAnswering extends Error {}

/**
 * Starts a dev server and waits until it serves. The dev server picks free ports for its own
 * services as it starts (free when it looked, maybe another process's a moment later: two servers
 * starting at once on one machine), and then dies: when no port was given, that is tried once more.
 */
export async function startTemporalDevServer(options: DevServerOptions): Promise<TemporalDevServer> {
  try {
    return await startOnce(options);
  } catch (error) {
    const portsGiven = options.port !== undefined || (!options.headless && options.uiPort !== undefined);
    if (portsGiven || !(error instanceof Error && error.cause instanceof ExitedBeforeAnswering)) throw error;
    options.log?.(`${error.message.split('\n')[0]}; starting it once more`);
    return startOnce(options);
  }
}

/** Runs `temporal server start-dev`, waits until it answers, and makes sure the search attributes exist. */
async function startOnce(options: DevServerOptions): Promise<TemporalDevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const attributes = options.searchAttributes ?? customSearchAttributes;
  const log = options.log ?? (() => undefined);
  const port = await choosePort(ip, options.port, 'gRPC', []);
  const uiPort = options.headless ? undefined : await choosePort(ip, options.uiPort, 'Web UI', [port]);
  const address = hostPort(ip, port);
  const uiUrl = uiPort === undefined ? undefined : `http://${hostPort(ip === '0.0.0.0' ? '127.0.0.1' : ip, uiPort)}`;

  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--namespace', namespace, '--log-level', 'warn'];
  args.push(...(uiPort === undefined ? ['--headless'] : ['--ui-port', String(uiPort)]));
  if (uiPort !== undefined && options.uiCodecEndpoint !== undefined) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  if (options.dbFile !== undefined) {
    await mkdir(path.dirname(path.resolve(options.dbFile)), { recursive: true });
    args.push('--db-filename', path.resolve(options.dbFile));
  }
  for (const attribute of attributes) args.push('--search-attribute', `${attribute.name}=${cliTypeNames[attribute.type]}`);
  for (const [key, value] of Object.entries(options.dynamicConfig ?? {})) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);

  // Without a logFile the log goes to a temp file, kept only when something goes wrong.
  const logFile = path.resolve(options.logFile ?? path.join(os.tmpdir(), `temporal-dev-server-${port}.log`));
  const removeLogAfterStop = options.logFile === undefined;
  await mkdir(path.dirname(logFile), { recursive: true });
  const logStart = await stat(logFile).then((info) => info.size, () => 0);
  const fd = openSync(logFile, 'a');
  const child = spawn(options.cliPath, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exitReason: string | undefined;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve((exitReason ??= signal ? `killed by ${signal}` : `exit code ${code}`)));
    child.once('error', (error) => resolve((exitReason ??= `could not run ${options.cliPath}: ${error.message}`)));
  });
  const killOnExit = () => {
    child.kill('SIGTERM');
    if (removeLogAfterStop) rmSync(logFile, { force: true });
  };
  process.once('exit', killOnExit);

  let failed = false;
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    process.off('exit', killOnExit);
    if (exitReason !== undefined) return;
    child.kill('SIGTERM');
    const graceOver = Symbol('grace over');
    if ((await Promise.race([exited, sleep(stopGraceMs, graceOver, { ref: false })])) === graceOver) {
      log(`Temporal dev server (pid ${child.pid}) ignored SIGTERM for ${stopGraceMs / 1000} s: killing it.`);
      child.kill('SIGKILL');
      await exited;
    }
    if (removeLogAfterStop && !failed) await rm(logFile, { force: true });
  })());

  log(`Starting the Temporal dev server on ${address} (${options.dbFile ? `data in ${options.dbFile}` : 'in memory'}; log ${logFile})...`);
  const started = Date.now();
  const deadline = started + (options.startTimeoutMs ?? 60_000);
  try {
    const connection = await waitUntilServing(address, namespace, deadline, () => exitReason);
    try {
      const added = await ensureSearchAttributes(connection, namespace, attributes);
      if (added.length > 0) log(`Added search attributes to namespace ${namespace}: ${added.join(', ')}.`);
    } finally {
      await connection.close();
    }
  } catch (error) {
    failed = true;
    await stop();
    const tail = await logTail(logFile, logStart);
    throw new Error(`Temporal dev server on ${address} failed to start: ${(error as Error).message}\nLog: ${logFile}${tail ? `\n${tail}` : ''}`, { cause: error });
  }
  log(`Temporal dev server ready on ${address} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return { address, namespace, uiUrl, pid: child.pid ?? 0, logFile, exited, stop };
}

/** Connects and describes the namespace until it works, the server exits, or the deadline passes. */
async function waitUntilServing(address: string, namespace: string, deadline: number, exitReason: () => string | undefined) {
  const started = Date.now();
  let lastError: unknown;
  while (Date.now() < deadline) {
    const reason = exitReason();
    if (reason !== undefined) throw new ExitedBeforeAnswering(`the process ended (${reason}) before answering`);
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: Math.min(2000, Math.max(deadline - Date.now(), 1)) });
      const ready = connection;
      await connection.withDeadline(Math.min(Date.now() + 2000, deadline), () => ready.workflowService.describeNamespace({ namespace }));
      return connection;
    } catch (error) {
      lastError = error;
      await connection?.close();
      await sleep(200);
    }
  }
  const waited = ((Date.now() - started) / 1000).toFixed(1);
  throw new Error(`no answer within ${waited} s (last error: ${(lastError as Error | undefined)?.message ?? 'none'})`);
}
