/**
 * Everything a run needs, each piece registered for cleanup as soon as it exists: the shared
 * infrastructure (scratch folder, Temporal, a fresh migrated database), folders for the
 * documents and their storage, a WPPConnect simulator and the workflow bundle.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startWppConnectSimulator } from '../../test/simulators/wppconnect/index.ts';
import { workflowsPath } from '../../workers/start-worker.ts';
import type { Cleanups } from '../shared/cleanups.ts';
import { startInfrastructure, systemEnvironment, writeWorkflowBundle, type TemporalOrigin } from '../shared/infrastructure.ts';
import type { BenchSettings } from './bench-settings.ts';

export interface BenchEnvironment {
  temporalAddress: string;
  /** Set when this run started the Temporal dev server. */
  temporalPid: number | undefined;
  temporalOrigin: TemporalOrigin;
  databaseUrl: string;
  databaseOrigin: string;
  documentsDir: string;
  /** Configuration of the API and worker processes, as environment variables. */
  systemEnv: Record<string, string>;
}

export async function startBenchEnvironment(settings: BenchSettings, cleanups: Cleanups, log: (line: string) => void): Promise<BenchEnvironment> {
  const infrastructure = await startInfrastructure(settings, cleanups, log);
  const documentsDir = path.join(infrastructure.scratch, 'documents');
  const storageDir = path.join(infrastructure.scratch, 'storage');
  await mkdir(documentsDir);
  await mkdir(storageDir);

  const secretKey = `bench-${randomBytes(12).toString('hex')}`;
  const wpp = await startWppConnectSimulator({ secretKey, session: 'bench' });
  cleanups.add('WPPConnect simulator', () => wpp.close());

  const bundlePath = await writeWorkflowBundle(workflowsPath, path.join(infrastructure.scratch, 'workflow-bundle.js'), log);

  return {
    temporalAddress: infrastructure.temporalAddress,
    temporalPid: infrastructure.temporalPid,
    temporalOrigin: infrastructure.temporalOrigin,
    databaseUrl: infrastructure.databaseUrl,
    databaseOrigin: infrastructure.databaseOrigin,
    documentsDir,
    systemEnv: {
      ...systemEnvironment(infrastructure, { taskQueue: `bench-registration-${randomUUID()}`, storageDir, wpp }),
      REVIEWER_TOKENS: `bench:${randomBytes(18).toString('base64url')}`,
      REVIEWER_REMINDER_AFTER: '48h',
      REVIEWER_REMINDER_EVERY: '24h',
      // /health is asked back to back while the crafted PDFs are checked: the per-address limit (60 a minute) would answer 429.
      RATE_LIMIT_PER_ADDRESS: '1000000',
      BENCH_WORKFLOW_BUNDLE: bundlePath,
      BENCH_DOCUMENTS_DIR: documentsDir,
    },
  };
}
