/**
 * The production build (`npm run build`) as the image runs it: the compiled JavaScript started by
 * plain `node` (no tsx), the API and the worker as two processes in production mode, on the Node
 * that runs the tests and on the LTS the Dockerfile uses (installed from the npm registry when
 * missing; skipped, saying why, where it cannot be). Each takes a registration with its documents to
 * a reviewer, whose approval reaches the driver on WhatsApp, then stops cleanly on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newMasterKey } from '../../platform/crypto/keyring.ts';
import { build } from '../../scripts/build.ts';
import { findOrInstallNodeLts, nodeLtsVersion } from '../../scripts/lib/node-lts.ts';
import { startWppConnectSimulator, type WppConnectSimulator } from '../simulators/wppconnect/index.ts';
import { eventually } from '../support/eventually.ts';
import { freePort } from '../support/free-port.ts';
import { flatPayload, sampleDocuments, type SampleDocuments } from '../support/registration-payloads.ts';
import { ownDatabase } from '../support/own-database.ts';
import { testEnvironment } from '../support/test-system.ts';

const log = (line: string) => console.log(`# ${line}`);

describe('the production build, run by plain node', { timeout: 15 * 60_000 }, () => {
  const shared = testEnvironment();
  let dist: string;
  let nodeLts: Awaited<ReturnType<typeof findOrInstallNodeLts>>;
  let wpp: WppConnectSimulator;
  let documents: SampleDocuments;

  before(async () => {
    dist = path.join(await mkdtemp(path.join(shared.scratchDir, 'build-')), 'dist');
    await build(dist);
    nodeLts = await findOrInstallNodeLts(log);
    wpp = await startWppConnectSimulator({ secretKey: `test-only-${randomUUID()}`, session: 'build' });
    documents = await sampleDocuments();
  });
  after(async () => {
    await wpp?.close();
  });

  it('holds no TypeScript: every module is JavaScript, the workflows come bundled ahead of time', async () => {
    // The build's own files (a scratch build links the project's node_modules beside them).
    const files = (await readdir(dist, { recursive: true })).filter((file) => !file.startsWith('node_modules'));
    assert.deepEqual(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts')), []);
    for (const file of ['app/api.js', 'app/worker.js', 'scripts/migrate.js', 'scripts/accounts.js', 'scripts/backup.js', 'migrations', 'api/console/views', 'api/console/assets/console.js', 'workflow-bundles/plain.js', 'workflow-bundles/traced.js']) {
      assert.ok(existsSync(path.join(dist, file)), file);
    }
  });

  for (const [index, runtime] of (['the Node running the tests', `Node ${nodeLtsVersion} (the image's LTS)`] as const).entries()) {
    it(`runs on ${runtime}: a registration reaches a reviewer, the approval reaches the driver, SIGTERM stops both`, async (t) => {
      const node = runtime === 'the Node running the tests' ? process.execPath : nodeLts.path;
      if (node === undefined) return t.skip(nodeLts.path === undefined ? nodeLts.reason : '');
      // A database of its own: its keys are wrapped by this run's MASTER_KEYS, not the shared database's.
      const database = ownDatabase(`production_build_${index}`);
      await database.create();
      t.after(() => database.drop());
      const port = await freePort();
      const reviewerToken = `test-reviewer-${randomUUID()}`;
      const intakeSecret = `test-intake-${randomUUID()}`;
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        WORKER_METRICS_PORT: String(await freePort()),
        LOG_LEVEL: 'warn',
        DATA_DIR: await mkdtemp(path.join(shared.scratchDir, 'build-data-')),
        DATABASE_URL: database.url,
        TEMPORAL_ADDRESS: shared.temporalAddress,
        TEMPORAL_TASK_QUEUE: `test-build-${randomUUID()}`,
        DOCUMENT_STORAGE_DIR: await mkdtemp(path.join(shared.scratchDir, 'build-documents-')),
        MASTER_KEYS: newMasterKey('build-test'),
        REVIEWER_TOKENS: `ana:${reviewerToken}`,
        INTAKE_SHARED_SECRET: intakeSecret,
        CONSOLE_SESSION_SECRET: randomUUID() + randomUUID(),
        METRICS_TOKEN: randomUUID(),
        WPPCONNECT_URL: wpp.url,
        WPPCONNECT_SESSION: wpp.session,
        WPPCONNECT_SECRET_KEY: wpp.secretKey,
        WPPCONNECT_WEBHOOK_TOKEN: randomUUID(),
        SELF_REPAIR_SCHEDULE: 'false',
        WHATSAPP_HEALTH_SCHEDULE: 'false',
        RETENTION_SCHEDULE: 'false',
        BACKUP_SCHEDULE: 'false',
      };
      const started: ChildProcess[] = [];
      const output: string[] = [];
      const run = (entry: string) => {
        const child = spawn(node, [path.join(dist, entry)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
        started.push(child);
        return child;
      };
      const exitOf = (child: ChildProcess) => new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
      try {
        // The API applies the migrations, then the worker starts on them, as compose orders them.
        const api = run('app/api.js');
        const base = `http://127.0.0.1:${port}`;
        await eventually(async () => {
          if (api.exitCode !== null) throw new Error(`the compiled API exited (${api.exitCode}): ${output.join('').slice(-2000)}`);
          return (await fetch(`${base}/health`).catch(() => undefined))?.ok ? true : undefined;
        }, 60_000, 'the compiled API answering /health');
        const worker = run('app/worker.js');

        const payload = flatPayload(documents);
        const submitted = await fetch(`${base}/drivers/register-typebot/`, {
          method: 'POST', headers: { 'content-type': 'application/json', 'x-intake-token': intakeSecret }, body: JSON.stringify(payload),
        });
        const created = (await submitted.json()) as { registration_id: string; status: string };
        assert.equal(submitted.status, 201, JSON.stringify(created));
        const asReviewer = { authorization: `Bearer ${reviewerToken}` };
        await eventually(async () => {
          const registration = (await (await fetch(`${base}/drivers/${created.registration_id}`, { headers: asReviewer })).json()) as { status: string; documents?: unknown[] };
          return registration.status === 'pending_approval' && registration.documents?.length === 3 ? true : undefined;
        }, 60_000, 'the registration awaiting a reviewer with its three documents');

        const approved = await fetch(`${base}/drivers/${created.registration_id}/approve`, { method: 'POST', headers: asReviewer });
        assert.equal(approved.status, 200);
        const phone = `351${String(payload.telefone).replace(/\s/g, '')}`;
        await eventually(async () => (wpp.sent.some((message) => message.phone === phone) ? true : undefined), 60_000, 'the approval on the driver\'s WhatsApp');

        for (const child of [api, worker]) child.kill('SIGTERM');
        assert.deepEqual(await Promise.all([exitOf(api), exitOf(worker)]), [0, 0], output.join('').slice(-2000));
      } finally {
        for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    });
  }
});
