/**
 * Which Temporal the scripts run on: a server already running (TEMPORAL_ADDRESS), else one started
 * here, either the CLI's dev server (TEMPORAL_MODE=dev, the default: SQLite or memory, with its Web
 * UI) or the Temporal server on PostgreSQL as production runs it (TEMPORAL_MODE=server). Either way
 * with the namespace and the project's search attributes.
 */
import { Connection } from '@temporalio/client';
import { configSchema, temporalModes, type TemporalMode } from '../../platform/config.ts';
import { customSearchAttributes } from '../../workflows/search-attributes.ts';
import { findOrBuildTemporalCli } from './temporal-cli.ts';
import { ensureSearchAttributes, startTemporalDevServer, type DevServerOptions } from './temporal-dev-server.ts';
import { grpcStatus, hasGrpcStatus, startTemporalServer, type PostgresTarget, type TemporalServerOptions } from './temporal-server.ts';

export interface EnsureTemporalOptions extends Partial<DevServerOptions> {
  /** A running server (env TEMPORAL_ADDRESS): used as is, nothing is started. */
  address?: string;
  namespace: string;
  /** For `address`; default 10 s. */
  connectTimeoutMs?: number;
  /**
   * Start the Temporal server on this PostgreSQL instead of a dev server (TEMPORAL_MODE=server).
   * Without `databases` it gets a pair of its own, dropped when it stops.
   */
  server?: Pick<TemporalServerOptions, 'postgres' | 'databases' | 'dir'>;
}

/** What was started here; the caller stops it. */
export interface StartedTemporal {
  pid: number | undefined;
  /** Settles with the reason when its process ends, whoever ended it. */
  exited: Promise<string>;
  logFile: string;
  kind: 'dev server' | 'server on PostgreSQL';
  /** Starts it again on the same data and ports (after it died). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface TemporalTarget {
  address: string;
  namespace: string;
  uiUrl?: string;
  started?: StartedTemporal;
}

/** The configured Temporal server, or one started for us; either way with the search attributes. */
export async function ensureTemporal(options: EnsureTemporalOptions): Promise<TemporalTarget> {
  const { address, namespace } = options;
  if (address) {
    await checkRunningServer(address, namespace, options.connectTimeoutMs ?? 10_000, options.searchAttributes ?? customSearchAttributes);
    return { address, namespace };
  }
  if (options.server !== undefined) {
    const server = await startTemporalServer({
      ...options.server,
      namespace,
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.dynamicConfig === undefined ? {} : { dynamicConfig: options.dynamicConfig }),
      ...(options.log === undefined ? {} : { log: options.log }),
    });
    const keep = options.server.databases !== undefined;
    const started: StartedTemporal = {
      get pid() {
        return server.pid;
      },
      get exited() {
        return server.exited;
      },
      logFile: server.logFile,
      kind: 'server on PostgreSQL',
      restart: () => server.restart(),
      stop: () => (keep ? server.stop() : server.drop()),
    };
    return { address: server.address, namespace, started };
  }
  const cliPath = options.cliPath ?? (await findOrBuildTemporalCli(options.log));
  let devServer = await startTemporalDevServer({ ...options, cliPath, namespace });
  const started: StartedTemporal = {
    get pid() {
      return devServer.pid;
    },
    get exited() {
      return devServer.exited;
    },
    get logFile() {
      return devServer.logFile;
    },
    kind: 'dev server',
    async restart() {
      // The same ports as the first start, so clients and the Web UI find it where it was.
      const port = Number(new URL(`http://${devServer.address}`).port);
      const uiPort = devServer.uiUrl === undefined ? undefined : Number(new URL(devServer.uiUrl).port);
      devServer = await startTemporalDevServer({ ...options, cliPath, namespace, port, ...(uiPort === undefined ? {} : { uiPort }) });
    },
    stop: () => devServer.stop(),
  };
  return { address: devServer.address, namespace, ...(devServer.uiUrl === undefined ? {} : { uiUrl: devServer.uiUrl }), started };
}

async function checkRunningServer(address: string, namespace: string, connectTimeoutMs: number, attributes: NonNullable<DevServerOptions['searchAttributes']>): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: connectTimeoutMs }).catch((error: Error) => {
    throw new Error(`Temporal server at ${address} (TEMPORAL_ADDRESS) is not reachable: ${error.message}. Start it, or unset TEMPORAL_ADDRESS to run a local one.`, { cause: error });
  });
  try {
    await connection.workflowService.describeNamespace({ namespace }).catch((error: unknown) => {
      if (hasGrpcStatus(error, grpcStatus.notFound)) throw new Error(`Namespace ${namespace} does not exist on the Temporal server at ${address}.`, { cause: error });
      throw error;
    });
    await ensureSearchAttributes(connection, namespace, attributes);
  } finally {
    await connection.close();
  }
}

/** The PostgreSQL server behind a connection string, as the Temporal server's configuration names it. */
export function postgresTarget(connectionString: string): PostgresTarget {
  const url = new URL(connectionString);
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || 'postgres'),
    password: decodeURIComponent(url.password),
  };
}

/** TEMPORAL_MODE from the environment: 'dev' (default) or 'server'; anything else is refused. */
export function temporalModeFrom(env: NodeJS.ProcessEnv): TemporalMode {
  // The configuration's own rule (platform/config.ts), read here without the rest of the configuration.
  const value = env.TEMPORAL_MODE?.trim() || undefined;
  const parsed = configSchema.shape.TEMPORAL_MODE.safeParse(value);
  if (!parsed.success) throw new Error(`TEMPORAL_MODE=${value} is not one of ${temporalModes.join(', ')}.`);
  return parsed.data;
}
