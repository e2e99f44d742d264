/**
 * The real Temporal server (not the CLI's dev server) on PostgreSQL, as production runs it
 * (docker-compose.yml: temporalio/server on postgres12, its schemas applied by temporalio/admin-tools):
 * for the fault matrix (its history lives in PostgreSQL, so it can be killed and started again and
 * carry on where it was), for `npm run test:production` and for `npm start` with TEMPORAL_MODE=server.
 *
 * Built once with Go like the CLI (`go install`, cached under ~/.cache/leguas-franzinas), the
 * databases created and their schemas applied with Temporal's own SQL tool from the module's
 * schema files (only the versions a database lacks, so a kept database is upgraded in place), a
 * config written from the module's postgres12 sample, the namespace and the project's search
 * attributes registered. `stop()` ends the process; `drop()` also drops the two databases.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { access, constants, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Connection, isGrpcServiceError } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { customSearchAttributes } from '../../workflows/search-attributes.ts';
import { ensureSearchAttributes } from './temporal-dev-server.ts';
import { temporalCliCacheDir, withBuildLock, findGo } from './temporal-cli.ts';

export const temporalServerVersion = 'v1.29.1';
const serverModule = 'go.temporal.io/server';
const execFileAsync = promisify(execFile);
type Log = (line: string) => void;

export function temporalServerCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(path.dirname(temporalCliCacheDir(env)), `temporal-server-${temporalServerVersion}`);
}

const isExecutable = (file: string) => access(file, constants.X_OK).then(() => true, () => false);

/** `server` and `sql` (temporal-sql-tool) of the pinned version, built into the cache once per machine. */
export async function findOrBuildTemporalServer(log: Log = () => undefined): Promise<{ server: string; sqlTool: string; moduleDir: string }> {
  const dir = temporalServerCacheDir();
  const server = path.join(dir, 'server');
  const sqlTool = path.join(dir, 'sql');
  const ready = async () => (await isExecutable(server)) && (await isExecutable(sqlTool));
  if (!(await ready())) {
    await withBuildLock(dir, log, async () => {
      if (await ready()) return;
      const go = await findGo();
      const staging = path.join(dir, `.build-${process.pid}`);
      await mkdir(staging, { recursive: true });
      const started = Date.now();
      log(`Building the Temporal server ${temporalServerVersion} with Go into ${dir} (once per machine)...`);
      try {
        for (const command of ['cmd/server', 'cmd/tools/sql']) {
          await execFileAsync(go, ['install', `${serverModule}/${command}@${temporalServerVersion}`], {
            env: { ...process.env, GOBIN: staging, CGO_ENABLED: '0' },
            maxBuffer: 16 * 1024 * 1024,
          });
        }
        await rename(path.join(staging, 'sql'), sqlTool);
        await rename(path.join(staging, 'server'), server);
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
      log(`Built the Temporal server in ${Math.round((Date.now() - started) / 1000)} s.`);
    });
  }
  const { stdout } = await execFileAsync(await findGo(), ['env', 'GOMODCACHE']);
  const moduleDir = path.join(stdout.trim(), `${serverModule}@${temporalServerVersion}`);
  if (!(await access(path.join(moduleDir, 'schema'), constants.R_OK).then(() => true, () => false))) {
    // The build downloads the module; a cache emptied since (go clean -modcache) needs it again.
    await execFileAsync(await findGo(), ['mod', 'download', `${serverModule}@${temporalServerVersion}`], { cwd: os.tmpdir() });
  }
  return { server, sqlTool, moduleDir };
}

export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface TemporalServerOptions {
  postgres: PostgresTarget;
  /** Default 'default'. */
  namespace?: string;
  /**
   * Databases kept from one start to the next (npm start): created and given their schemas when
   * missing, upgraded when older. Default: a pair of its own per start, named uniquely.
   */
  databases?: { temporal: string; visibility: string };
  /** The frontend's gRPC port; default: a free one. */
  port?: number;
  /** Where its configuration and log live; default: a temporary folder, removed by drop(). */
  dir?: string;
  /** Server dynamic config (key → value), e.g. a low continue-as-new threshold. */
  dynamicConfig?: Readonly<Record<string, string | number | boolean>>;
  log?: Log;
  /** Default 90 s (the first start on a busy machine is slow). */
  startTimeoutMs?: number;
}

export interface TemporalServer {
  address: string;
  namespace: string;
  /** The running process's id (undefined while it is down). */
  readonly pid: number | undefined;
  /** Settles with the reason when the running process ends, whoever ended it. */
  readonly exited: Promise<string>;
  /** The two databases (unique per start of this helper). */
  databases: { temporal: string; visibility: string };
  logFile: string;
  /** SIGKILL, as a crash: nothing is flushed. */
  kill(): Promise<void>;
  /** Starts the process again on the same databases and ports; resolves once it answers. */
  restart(): Promise<void>;
  /** SIGTERM (SIGKILL after a grace period). */
  stop(): Promise<void>;
  /** stop(), then the databases are dropped and the files removed. */
  drop(): Promise<void>;
}

/** Whether the port can be bound on the loopback address now. */
async function isFree(port: number): Promise<boolean> {
  const server = net.createServer();
  const bound = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve(true));
  });
  if (bound) await new Promise<void>((resolve) => server.close(() => resolve()));
  return bound;
}

/**
 * `count` free ports that differ, below 32768: the server stores its membership ports in a
 * smallint column (cluster_membership.rpc_port), so an ephemeral port above it stops it at start.
 */
async function freePorts(count: number, taken: readonly number[] = []): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const candidate = randomInt(20_000, 32_768);
    if (!ports.has(candidate) && !taken.includes(candidate) && (await isFree(candidate))) ports.add(candidate);
  }
  return [...ports];
}

function configYaml(options: { pg: PostgresTarget; databases: { temporal: string; visibility: string }; ports: number[]; dynamicConfigFile: string }): string {
  const { pg, databases, ports } = options;
  const store = (database: string, maxConns: number) => `
      sql:
        pluginName: "postgres12"
        databaseName: "${database}"
        connectAddr: "${pg.host}:${pg.port}"
        connectProtocol: "tcp"
        user: "${pg.user}"
        password: "${pg.password}"
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: "1h"`;
  const [frontend, frontendHttp, history, matching, worker, m1, m2, m3, m4, metrics] = ports;
  const service = (grpc: number, membership: number, extra = '') => `
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnLocalHost: true${extra}`;
  // From the module's config/development-postgres12.yaml: ports, databases and credentials ours, no archival.
  return `log:
  stdout: true
  level: warn

persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default:${store(databases.temporal, 10)}
    postgres-visibility:${store(databases.visibility, 2)}

global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  metrics:
    prometheus:
      framework: "tally"
      timerType: "histogram"
      listenAddress: "127.0.0.1:${metrics}"

services:
  frontend:${service(frontend!, m1!, `\n      httpPort: ${frontendHttp}`)}
  matching:${service(matching!, m2!)}
  history:${service(history!, m3!)}
  worker:${service(worker!, m4!)}

clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${frontend}"

dcRedirectionPolicy:
  policy: "noop"

dynamicConfigClient:
  filepath: "${options.dynamicConfigFile}"
  pollInterval: "10s"
`;
}

function dynamicConfigYaml(values: Readonly<Record<string, string | number | boolean>>): string {
  return Object.entries(values).map(([key, value]) => `${key}:\n  - value: ${JSON.stringify(value)}\n`).join('');
}

/** Creates the databases, applies the schemas, starts the server, registers the namespace and search attributes. */
export async function startTemporalServer(options: TemporalServerOptions): Promise<TemporalServer> {
  const log = options.log ?? (() => undefined);
  const namespace = options.namespace ?? 'default';
  if (options.port !== undefined && !(await isFree(options.port))) {
    throw new Error(`Cannot start the Temporal server: port 127.0.0.1:${options.port} is already in use (another Temporal server?).`);
  }
  const { server, sqlTool, moduleDir } = await findOrBuildTemporalServer(log);
  const pg = options.postgres;
  const suffix = `${Date.now()}_${randomBytes(3).toString('hex')}`;
  const databases = options.databases ?? { temporal: `temporal_${suffix}`, visibility: `temporal_visibility_${suffix}` };
  const root = options.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'temporal-server-')));
  await mkdir(path.join(root, 'config'), { recursive: true });

  const sql = (database: string, ...args: string[]) =>
    execFileAsync(sqlTool, ['--plugin', 'postgres12', '--ep', pg.host, '-p', String(pg.port), '-u', pg.user, '--pw', pg.password, '--db', database, ...args], {
      maxBuffer: 16 * 1024 * 1024,
    });
  const started = Date.now();
  for (const [database, schema] of [[databases.temporal, 'temporal'], [databases.visibility, 'visibility']] as const) {
    await prepareDatabase(sql, database, path.join(moduleDir, 'schema/postgresql/v12', schema, 'versioned'));
  }
  log(`Temporal databases ${databases.temporal}, ${databases.visibility} ready in ${Date.now() - started} ms`);

  const ports = options.port === undefined ? await freePorts(10) : [options.port, ...(await freePorts(9, [options.port]))];
  const dynamicConfigFile = path.join(root, 'dynamicconfig.yaml');
  await writeFile(dynamicConfigFile, dynamicConfigYaml(options.dynamicConfig ?? {}));
  await writeFile(path.join(root, 'config', 'leguas.yaml'), configYaml({ pg, databases, ports, dynamicConfigFile }));
  const address = `127.0.0.1:${ports[0]}`;
  const logFile = path.join(root, 'server.log');

  let child: ChildProcess | undefined;
  let exited: Promise<string> = Promise.resolve('not started');
  const launch = async () => {
    const fd = openSync(logFile, 'a');
    const proc = spawn(server, ['--root', root, '--config', 'config', '--env', 'leguas', '--allow-no-auth', 'start'], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child = proc;
    let reason: string | undefined;
    exited = new Promise((resolve) => proc.once('exit', (code, signal) => {
      reason = signal ? `killed by ${signal}` : `exit code ${code}`;
      resolve(reason);
    }));
    const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
    await waitUntilServing(address, deadline, () => reason, logFile);
  };
  const killProcess = async (signal: NodeJS.Signals) => {
    const proc = child;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(signal);
    if (signal === 'SIGTERM' && (await Promise.race([exited.then(() => 'exited'), sleep(10_000, 'grace over')])) === 'grace over') proc.kill('SIGKILL');
    await exited;
  };
  const onExit = () => child?.kill('SIGKILL');
  process.once('exit', onExit);

  try {
    await launch();
    await registerNamespace(address, namespace);
    const connection = await Connection.connect({ address });
    try {
      await ensureSearchAttributes(connection, namespace, customSearchAttributes);
    } finally {
      await connection.close();
    }
  } catch (error) {
    await killProcess('SIGKILL');
    if (options.databases === undefined) await dropDatabases(sql, databases);
    throw new Error(`The Temporal server did not start: ${(error as Error).message} (log ${logFile})`, { cause: error });
  }
  log(`Temporal server ${temporalServerVersion} on PostgreSQL at ${address} in ${Date.now() - started} ms`);

  const stop = () => killProcess('SIGTERM');
  return {
    address,
    namespace,
    databases,
    logFile,
    get pid() {
      return child?.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    get exited() {
      return exited;
    },
    kill: () => killProcess('SIGKILL'),
    restart: launch,
    stop,
    async drop() {
      process.off('exit', onExit);
      await stop();
      await dropDatabases(sql, databases);
      if (options.dir === undefined) await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * A database with Temporal's schema at the module's version: created when it does not exist, its
 * version tables set up (a no-op on a database past 0.0), then only the versions it lacks applied.
 */
async function prepareDatabase(sql: (database: string, ...args: string[]) => Promise<unknown>, database: string, versionedSchemaDir: string): Promise<void> {
  await sql(database, 'create-database').catch((error: Error & { stderr?: string }) => {
    if (!/already exists/.test(`${error.message} ${error.stderr ?? ''}`)) throw error;
  });
  await sql(database, 'setup-schema', '-v', '0.0');
  await sql(database, 'update-schema', '-d', versionedSchemaDir);
}

async function dropDatabases(sql: (database: string, ...args: string[]) => Promise<unknown>, databases: { temporal: string; visibility: string }) {
  for (const database of [databases.temporal, databases.visibility]) await sql(database, 'drop-database', '--force').catch(() => undefined);
}

/** The gRPC status codes these scripts tell apart. */
export const grpcStatus = { notFound: 5, alreadyExists: 6 } as const;
/** Whether the Temporal server answered with this gRPC status. */
export const hasGrpcStatus = (error: unknown, status: number): boolean => isGrpcServiceError(error) && Number(error.code) === status;

/**
 * Workflow ids looked up to find every history shard served: with 4 shards, 32 random ids miss one
 * of them once in about 2,500 starts.
 */
const shardProbes = 32;

/**
 * Registers the namespace (1 day retention), then waits until the frontend knows it (its namespace
 * cache refreshes) and the history service serves workflows: the frontend can answer before every
 * history shard has an owner, and a workflow call then fails where it should find its workflow (a
 * full run beside a CPU hog saw a workflow's lookup fail right after a restart; not reproduced alone).
 * Lookups of workflows that do not exist, answered "not found" by every shard, mark that moment.
 */
async function registerNamespace(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') }).catch((error: unknown) => {
      if (!hasGrpcStatus(error, grpcStatus.alreadyExists)) throw error;
    });
    const deadline = Date.now() + 60_000;
    const probes = Array.from({ length: shardProbes }, () => `readiness-probe-${randomBytes(8).toString('hex')}`);
    for (;;) {
      try {
        await connection.workflowService.describeNamespace({ namespace });
        await Promise.all(probes.map((workflowId) => connection.withDeadline(Date.now() + 2000, () =>
          connection.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId } }).then(
            () => undefined,
            (error: unknown) => {
              if (!hasGrpcStatus(error, grpcStatus.notFound)) throw error; // its shard answered
            },
          ))));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(250);
      }
    }
  } finally {
    await connection.close();
  }
}

/** Until the frontend answers its health check (the process may still be joining its services). */
async function waitUntilServing(address: string, deadline: number, exitReason: () => string | undefined, logFile: string): Promise<void> {
  let last: unknown;
  while (Date.now() < deadline) {
    const reason = exitReason();
    if (reason !== undefined) throw new Error(`the server process ended (${reason}); see ${logFile}`);
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 2000 });
      const ready = connection;
      await connection.withDeadline(Date.now() + 2000, () => ready.workflowService.getSystemInfo({}));
      await connection.close();
      return;
    } catch (error) {
      last = error;
      await connection?.close().catch(() => undefined);
      await sleep(250);
    }
  }
  throw new Error(`no answer on ${address} (last error: ${(last as Error | undefined)?.message ?? 'none'})`);
}
