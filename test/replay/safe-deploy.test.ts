/**
 * A deploy while chats and registrations run: they start on the workflow code of an earlier
 * revision (bundled from git), the worker is replaced by one on the current code, and each goes on
 * to its end there. The current code replays their histories (its `patched()` branches keep the old
 * ones' commands) and carries on; the replay test checks recorded histories, this checks the live
 * switch: an old workflow's next task, its timers and activities, on the new worker.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { ChildProcess } from 'node:child_process';
import { chatWorkflowId } from '../../domain/chat.ts';
import { workflowIdOf } from '../../domain/registration.ts';
import { failureConverterPath } from '../../platform/crypto/data-converter.ts';
import { chatwootView, newDriverPhone, waitForIncoming } from '../support/bridge-views.ts';
import { killChild, startChildWorker } from '../support/child-worker.ts';
import { flatPayload, sampleDocuments } from '../support/registration-payloads.ts';
import { eventually, startTestSystem, testEnvironment, type TestSystem } from '../support/test-system.ts';

/**
 * The revision the running workflows started on: the last before a change to the registration's
 * workflow (a correction asked in the chat, behind `patched('registration-correction-in-chat')`).
 */
const oldRevision = '4b954c0^';
const repository = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** The workflow bundle of `revision`, from git (its whole tree, beside this checkout's node_modules); undefined with the reason when git does not have it. */
async function bundleOfRevision(revision: string): Promise<{ path: string; dir: string } | { missing: string }> {
  const commit = await run('git', ['rev-parse', '--verify', `${revision}^{commit}`], { cwd: repository }).then(({ stdout }) => stdout.trim(), () => undefined);
  if (commit === undefined) return { missing: `git has no ${revision} here (a shallow clone?): the old code cannot be built` };
  const dir = await mkdtemp(path.join(testEnvironment().scratchDir, 'old-code-'));
  await new Promise<void>((resolve, reject) => {
    const archive = spawn('git', ['archive', commit], { cwd: repository, stdio: ['ignore', 'pipe', 'inherit'] });
    const untar = spawn('tar', ['-x', '-C', dir], { stdio: ['pipe', 'inherit', 'inherit'] });
    archive.stdout.pipe(untar.stdin);
    untar.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited ${code}`))));
    untar.once('error', reject);
  });
  await symlink(path.join(repository, 'node_modules'), path.join(dir, 'node_modules'));
  const bundle = await bundleWorkflowCode({ workflowsPath: path.join(dir, 'workflows', 'index.ts'), failureConverterPath, logger: quiet });
  const bundlePath = path.join(dir, 'old-workflow-bundle.js');
  await writeFile(bundlePath, bundle.code);
  return { path: bundlePath, dir };
}

const quiet = { info: () => undefined, warn: () => undefined, error: console.error, debug: () => undefined, trace: () => undefined, log: () => undefined };

describe('a deploy while chats and registrations run', { timeout: 5 * 60_000 }, () => {
  let sut: TestSystem;
  let old: Awaited<ReturnType<typeof bundleOfRevision>>;
  let worker: ChildProcess | undefined;

  before(async () => {
    old = await bundleOfRevision(oldRevision);
    // The worker runs in a process of its own, so it can be replaced; the API stays (it is not what changes here).
    sut = await startTestSystem({ BRIDGE_POLLING: 'false', BRIDGE_IDLE_TIMEOUT: '3s' }, { bridge: true, worker: false });
  });
  after(async () => {
    if (worker !== undefined) await killChild(worker);
    await sut?.stop();
    if (old !== undefined && 'dir' in old) await rm(old.dir, { recursive: true, force: true });
  });

  it(`starts a chat and a registration on ${oldRevision}, replaces the worker with the current code, and both finish there`, async (t) => {
    if ('missing' in old) {
      t.skip(old.missing);
      return;
    }
    worker = await startChildWorker(sut, { TEST_WORKFLOW_BUNDLE: old.path });

    // On the old code: a driver writes, an agent answers; a registration waits for its reviewer.
    const view = chatwootView(sut);
    const phone = newDriverPhone();
    await sut.wpp.receive({ from: phone, body: 'Olá, antes da atualização' });
    await waitForIncoming(sut, phone, 'Olá, antes da atualização');
    const conversationId = view.conversationIdOf(phone);
    await sut.chatwoot!.agentReply(conversationId, { content: 'Bom dia! (código antigo)' });
    const sentTo = () => sut.wpp.sent.filter((message) => message.phone === phone).map((message) => message.body);
    await eventually(async () => (sentTo().length === 1 ? true : undefined), 30_000, 'the reply on WhatsApp, from the old code');
    const payload = flatPayload(await sampleDocuments());
    const created = await sut.call('POST', '/drivers/register-typebot/', payload);
    assert.equal(created.status, 201);
    const id = created.body.registration_id as string;
    const status = async () => (await sut.call('GET', `/drivers/${id}`, undefined, { authorization: `Bearer ${sut.reviewerToken}` })).body.status;
    await eventually(async () => (await status() === 'pending_approval' ? true : undefined), 60_000, 'the registration awaiting a reviewer, on the old code');

    // The deploy: the old worker stops as a crash would stop it, the new one starts on the same task queues.
    await killChild(worker);
    worker = await startChildWorker(sut);

    // On the current code: the chat goes on (its history replayed first), the reviewer decides, the driver is told.
    await sut.wpp.receive({ from: phone, body: 'E depois da atualização?' });
    await waitForIncoming(sut, phone, 'E depois da atualização?');
    await sut.chatwoot!.agentReply(conversationId, { content: 'Continua tudo a funcionar.' });
    await eventually(async () => (sentTo().length === 2 ? true : undefined), 30_000, 'the second reply on WhatsApp, from the new code');
    assert.deepEqual(sentTo(), ['Bom dia! (código antigo)', 'Continua tudo a funcionar.']);
    assert.equal((await sut.call('POST', `/drivers/${id}/approve`, undefined, { authorization: `Bearer ${sut.reviewerToken}` })).status, 200);
    const driver = `351${String(payload.telefone).replace(/\s/g, '')}`;
    await eventually(async () => (sut.wpp.sent.some((message) => message.phone === driver) ? true : undefined), 30_000, 'the driver told of the approval');
    assert.equal(await status(), 'approved');
    // The chat ends idle on the new code; neither workflow had a task fail (a nondeterminism would, again and again).
    const chat = sut.system.temporal.workflow.getHandle(chatWorkflowId(sut.system.personal, `${phone}@c.us`));
    await eventually(async () => ((await chat.describe()).status.name === 'COMPLETED' ? true : undefined), 30_000, 'the chat to end idle');
    for (const handle of [chat, sut.system.temporal.workflow.getHandle(workflowIdOf(id))]) {
      const { events } = await handle.fetchHistory();
      const failed = (events ?? []).filter((event) => event.workflowTaskFailedEventAttributes != null);
      assert.equal(failed.length, 0, `${handle.workflowId}: workflow tasks failed`);
      // Both codes ran it: each worker's build id (the SDK's, from its bundle's hash) on the tasks it completed.
      const builds = new Set((events ?? []).flatMap((event) => {
        const completed = event.workflowTaskCompletedEventAttributes;
        return completed == null ? [] : [completed.workerVersion?.buildId ?? completed.binaryChecksum ?? ''];
      }));
      assert.equal(builds.size, 2, `${handle.workflowId}: tasks completed by the old and by the new worker (${[...builds].join(', ')})`);
    }
  });
});
