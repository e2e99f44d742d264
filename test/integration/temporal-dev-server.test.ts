import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { findOrBuildTemporalCli } from '../../scripts/lib/temporal-cli.ts';
import { ensureSearchAttributes, startTemporalDevServer } from '../../scripts/lib/temporal-dev-server.ts';
import { ensureTemporal } from '../../scripts/lib/temporal-target.ts';
import { supervise } from '../../scripts/lib/supervise.ts';
import { Client } from '@temporalio/client';
import type { TemporalDevServer } from '../../scripts/lib/temporal-dev-server.ts';
import { customSearchAttributes } from '../../workflows/search-attributes.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const keyword = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
/** The indexed value type each custom attribute is registered with (temporal.api.enums.v1.IndexedValueType). */
const indexedType = { KEYWORD: keyword, BOOL: 5 } as const;
const registeredAs = (attribute: (typeof customSearchAttributes)[number]) => indexedType[attribute.type];
const int = 3; // INDEXED_VALUE_TYPE_INT

/** True while the process exists and is not a zombie waiting to be reaped. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

async function waitUntilGone(pid: number, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid) && Date.now() < deadline) await sleep(100);
  return !isRunning(pid);
}

async function customAttributes(address: string, namespace = 'default') {
  const connection = await Connection.connect({ address });
  try {
    return (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  } finally {
    await connection.close();
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// Each start takes a second or two: the suites run side by side, each server on its own free port.
describe('the Temporal dev server scripts', { concurrency: true }, () => {
  let cliPath: string;
  let scratch: string;
  before(async () => {
    cliPath = await findOrBuildTemporalCli((line) => console.log(line)); // a first build on a fresh machine takes minutes
    scratch = await mkdtemp(path.join(os.tmpdir(), 'temporal-dev-server-test-'));
  }, { timeout: 30 * 60_000 });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  describe('an in-memory headless dev server', () => {
    let server: TemporalDevServer;
    before(async () => {
      server = await startTemporalDevServer({ cliPath, headless: true, logFile: path.join(scratch, 'memory.log') });
    });
    after(() => server.stop());

    test('answers on a free local port without a Web UI and has the custom search attributes', async () => {
      assert.match(server.address, /^127\.0\.0\.1:\d+$/);
      assert.equal(server.uiUrl, undefined);
      const attributes = await customAttributes(server.address);
      for (const attribute of customSearchAttributes) assert.equal(attributes[attribute.name], registeredAs(attribute), attribute.name);
    });

    test('ensureSearchAttributes adds a missing attribute once, even when two callers race', async () => {
      const connection = await Connection.connect({ address: server.address });
      try {
        const extra = [{ name: 'TestOnlyAttempt', type: 'INT' }] as const;
        const results = await Promise.all([
          ensureSearchAttributes(connection, 'default', extra),
          ensureSearchAttributes(connection, 'default', extra),
        ]);
        assert.ok(results.some((added) => added.includes('TestOnlyAttempt')));
        assert.equal((await customAttributes(server.address)).TestOnlyAttempt, int);
        assert.deepEqual(await ensureSearchAttributes(connection, 'default', extra), []);
        await assert.rejects(
          ensureSearchAttributes(connection, 'default', [{ name: 'TestOnlyAttempt', type: 'KEYWORD' }]),
          /TestOnlyAttempt exists in namespace default as INT, not KEYWORD/,
        );
      } finally {
        await connection.close();
      }
    });

    test('ensureTemporal uses a given address as is and starts nothing', async () => {
      const target = await ensureTemporal({ address: server.address, namespace: 'default' });
      assert.deepEqual(target, { address: server.address, namespace: 'default' });
    });
  });

  describe('a persistent dev server', () => {
    test('gets the search attributes on restart when its database was created without them', async () => {
      const dbFile = path.join(scratch, 'nested', 'temporal.db');
      const logFile = path.join(scratch, 'persistent.log');
      const first = await startTemporalDevServer({ cliPath, headless: true, dbFile, logFile, searchAttributes: [] });
      try {
        assert.equal((await customAttributes(first.address)).RegistrationId, undefined);
      } finally {
        await first.stop();
      }

      const lines: string[] = [];
      const second = await startTemporalDevServer({ cliPath, headless: true, dbFile, logFile, log: (line) => lines.push(line) });
      try {
        const attributes = await customAttributes(second.address);
        for (const attribute of customSearchAttributes) assert.equal(attributes[attribute.name], registeredAs(attribute), attribute.name);
        // start-dev ignores --search-attribute on an existing database: ensureSearchAttributes added them.
        assert.ok(lines.some((line) => line.includes('Added search attributes') && line.includes('RegistrationStatus')), lines.join('\n'));
      } finally {
        await second.stop();
      }
    });
  });

  describe('under supervision (npm start)', () => {
    test('a dev server that dies is started again on the same address, with its data', async () => {
      const dbFile = path.join(scratch, 'supervised', 'temporal.db');
      const target = await ensureTemporal({ namespace: 'default', cliPath, headless: true, dbFile, logFile: path.join(scratch, 'supervised.log') });
      const started = target.started!;
      const lines: string[] = [];
      let stopping = false;
      const gaveUp: string[] = [];
      supervise({ name: 'The Temporal dev server', died: () => started.exited, restart: () => started.restart() }, {
        log: (line) => lines.push(line), stopping: () => stopping, giveUp: (message) => gaveUp.push(message),
      });
      try {
        let connection = await Connection.connect({ address: target.address });
        await new Client({ connection }).workflow.start('nothingRunsThis', { taskQueue: 'nobody', workflowId: 'kept-through-a-crash' });
        await connection.close();
        const firstPid = started.pid!;
        process.kill(firstPid, 'SIGKILL');
        assert.ok(await waitUntilGone(firstPid));
        const deadline = Date.now() + 60_000;
        while (!lines.some((line) => line.includes('is back')) && gaveUp.length === 0 && Date.now() < deadline) await sleep(100);
        assert.deepEqual(gaveUp, []);
        assert.ok(lines.some((line) => line.includes('stopped (killed by SIGKILL): starting it again (1 of 3)')), lines.join('\n'));
        assert.notEqual(started.pid, firstPid);
        connection = await Connection.connect({ address: target.address });
        assert.equal((await new Client({ connection }).workflow.getHandle('kept-through-a-crash').describe()).status.name, 'RUNNING');
        await connection.close();
      } finally {
        stopping = true;
        await started.stop();
      }
      assert.deepEqual(gaveUp, [], 'a stop asked for is not a death');
    });

    test('gives up, saying why, when it keeps dying or cannot be started again', async () => {
      const outcomes = async (restart: () => Promise<void>) => {
        const gaveUp: string[] = [];
        let deaths = 0;
        supervise({ name: 'The thing', died: async () => `exit code ${++deaths}`, restart }, {
          log: () => undefined, stopping: () => false, giveUp: (message) => gaveUp.push(message), maxRestarts: 2,
        });
        while (gaveUp.length === 0) await sleep(5);
        return { gaveUp, deaths };
      };
      const keepsDying = await outcomes(async () => undefined);
      assert.equal(keepsDying.deaths, 3);
      assert.deepEqual(keepsDying.gaveUp, ['The thing stopped (exit code 3) again after 2 restart(s) within 10 minutes: stopping everything rather than running without it.']);
      const cannotStart = await outcomes(async () => {
        throw new Error('port 7233 is already in use');
      });
      assert.deepEqual(cannotStart.gaveUp, ['The thing stopped (exit code 1) and could not be started again (port 7233 is already in use): stopping everything rather than running without it.']);
    });
  });

  describe('the server process', () => {
    test('stop() ends it, and a second stop() is harmless', async () => {
      const server = await startTemporalDevServer({ cliPath, headless: true, logFile: path.join(scratch, 'stop.log'), searchAttributes: [] });
      assert.ok(isRunning(server.pid));
      await server.stop();
      assert.equal(isRunning(server.pid), false);
      assert.match(await server.exited, /exit code 0|killed by SIG/);
      await server.stop();
    });

    test('does not outlive a parent that exits without calling stop()', async () => {
      const moduleUrl = new URL('../../scripts/lib/temporal-dev-server.ts', import.meta.url).href;
      const code = [
        `import { startTemporalDevServer } from ${JSON.stringify(moduleUrl)};`,
        `const server = await startTemporalDevServer({ cliPath: ${JSON.stringify(cliPath)}, headless: true, searchAttributes: [] });`,
        'console.log(server.pid);',
        'process.exit(0);',
      ].join('\n');
      const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      parent.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exitCode = await new Promise<number | null>((resolve) => parent.on('close', resolve));
      assert.equal(exitCode, 0);
      const pid = Number(output.trim());
      assert.ok(Number.isInteger(pid) && pid > 0, `child printed ${output}`);
      assert.ok(await waitUntilGone(pid), `temporal server ${pid} is still running after its parent exited`);
    });

    test('a port in use is refused with a clear message before anything starts', async () => {
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = blocker.address() as net.AddressInfo;
        await assert.rejects(startTemporalDevServer({ cliPath, headless: true, port }), /gRPC port 127\.0\.0\.1:\d+ is already in use/);
      } finally {
        await new Promise<void>((resolve) => blocker.close(() => resolve()));
      }
    });
  });

  test('ensureTemporal explains an unreachable TEMPORAL_ADDRESS and starts nothing', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    await assert.rejects(
      ensureTemporal({ address, namespace: 'default', connectTimeoutMs: 500 }),
      (error: Error) => error.message.includes(`Temporal server at ${address} (TEMPORAL_ADDRESS) is not reachable`),
    );
  });
});
