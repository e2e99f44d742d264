/**
 * Everything a bridge run needs, each piece registered for cleanup as soon as it exists: the shared
 * infrastructure (scratch folder, Temporal, a fresh migrated database), the WPPConnect and Chatwoot
 * simulators in this process, the system's workflow bundle and the ceiling's own, and the
 * configuration of the API and worker processes and of the ceiling worker.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChatwootSimulator, type ChatwootSimulator, type MessageRecord } from '../../test/simulators/chatwoot/index.ts';
import { startWppConnectSimulator, type WppConnectSimulator } from '../../test/simulators/wppconnect/index.ts';
import { workflowsPath } from '../../workers/start-worker.ts';
import type { Cleanups } from '../shared/cleanups.ts';
import { startInfrastructure, systemEnvironment, writeWorkflowBundle, type Infrastructure } from '../shared/infrastructure.ts';
import type { BridgeSettings } from './bridge-settings.ts';

export interface BridgeEnvironment {
  infrastructure: Infrastructure;
  wpp: WppConnectSimulator;
  chatwoot: ChatwootSimulator;
  /** The secret in the WPPConnect webhook's path. */
  webhookToken: string;
  taskQueues: { bridge: string; registration: string; ceiling: string };
  /** Configuration of the API and worker processes, as environment variables. */
  systemEnv: Record<string, string>;
  /** Configuration of the ceiling worker process. */
  ceilingEnv: Record<string, string>;
}

const ceilingWorkflowsPath = fileURLToPath(new URL('./ceiling-workflow.ts', import.meta.url));

export async function startBridgeEnvironment(
  settings: BridgeSettings,
  onMessageCreated: (message: MessageRecord) => void,
  cleanups: Cleanups,
  log: (line: string) => void,
): Promise<BridgeEnvironment> {
  const infrastructure = await startInfrastructure(settings, cleanups, log);
  const storageDir = path.join(infrastructure.scratch, 'storage');
  await mkdir(storageDir);

  // Each webhook in flight listens on its simulator's closing signal: hundreds at once are expected here.
  setMaxListeners(10_000);
  const secretKey = `bench-${randomBytes(12).toString('hex')}`;
  const wpp = await startWppConnectSimulator({ secretKey, session: 'bench' });
  cleanups.add('WPPConnect simulator', () => wpp.close());
  const chatwoot = await startChatwootSimulator({
    apiToken: randomBytes(18).toString('base64url'),
    webhookSecret: randomBytes(18).toString('base64url'),
    onMessageCreated,
  });
  cleanups.add('Chatwoot simulator', () => chatwoot.close());

  const systemBundle = await writeWorkflowBundle(workflowsPath, path.join(infrastructure.scratch, 'workflow-bundle.js'), log);
  const ceilingBundle = await writeWorkflowBundle(ceilingWorkflowsPath, path.join(infrastructure.scratch, 'ceiling-bundle.js'), log);

  const webhookToken = randomBytes(18).toString('base64url');
  const taskQueues = {
    bridge: `bench-bridge-${randomUUID()}`,
    registration: `bench-bridge-registration-${randomUUID()}`,
    ceiling: `bench-ceiling-${randomUUID()}`,
  };
  const temporalEnv = { TEMPORAL_ADDRESS: infrastructure.temporalAddress, TEMPORAL_NAMESPACE: infrastructure.temporalNamespace };
  return {
    infrastructure,
    wpp,
    chatwoot,
    webhookToken,
    taskQueues,
    systemEnv: {
      ...systemEnvironment(infrastructure, { taskQueue: taskQueues.registration, storageDir, wpp }),
      WPPCONNECT_WEBHOOK_TOKEN: webhookToken,
      CHATWOOT_URL: chatwoot.url,
      CHATWOOT_ACCOUNT_ID: String(chatwoot.accountId),
      CHATWOOT_INBOX_ID: String(chatwoot.inboxId),
      CHATWOOT_API_TOKEN: chatwoot.apiToken,
      CHATWOOT_WEBHOOK_SECRET: chatwoot.webhookSecret,
      BRIDGE_TASK_QUEUE: taskQueues.bridge,
      BRIDGE_POLLING: settings.BRIDGE_POLLING,
      ...(settings.BRIDGE_BATCH_SIZE === undefined ? {} : { BRIDGE_BATCH_SIZE: String(settings.BRIDGE_BATCH_SIZE) }),
      BENCH_WORKFLOW_BUNDLE: systemBundle,
    },
    ceilingEnv: { ...temporalEnv, BENCH_CEILING_TASK_QUEUE: taskQueues.ceiling, BENCH_CEILING_BUNDLE: ceilingBundle },
  };
}
