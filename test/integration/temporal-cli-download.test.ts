/**
 * The Temporal CLI's official release, as a machine without Go gets it: asked of the download
 * service, checked against the release's published checksums, unpacked into the cache. Served here
 * by a local HTTP host with a real tar.gz (this machine cannot reach temporal.download; the suite's
 * own Temporal keeps exercising the Go build that follows a failed download).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile, chmod, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { downloadTemporalCli, TemporalCliChecksumError, temporalCliVersion } from '../../scripts/lib/temporal-cli.ts';
import { freePort } from '../support/free-port.ts';
import { startFileHost } from '../support/file-host.ts';

const execFileAsync = promisify(execFile);
const bare = temporalCliVersion.slice(1);
const assetName = `temporal_cli_${bare}_${process.platform}_${process.arch === 'arm64' ? 'arm64' : 'amd64'}.tar.gz`;
const infoPath = `/cli/${temporalCliVersion}?platform=${process.platform}&arch=${process.arch === 'arm64' ? 'arm64' : 'amd64'}`;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('the Temporal CLI downloaded instead of built', () => {
  let scratch: string;
  let archive: Buffer;
  const hosts: Array<{ close: () => void }> = [];

  before(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'temporal-cli-download-'));
    // A stand-in binary that answers --version as the release does, packed as the release packs it.
    const packing = path.join(scratch, 'packing');
    await execFileAsync('mkdir', ['-p', packing]);
    await writeFile(path.join(packing, 'temporal'), `#!/bin/sh\necho "temporal version ${bare} (Server 1.29.1, UI 2.42.1)"\n`);
    await chmod(path.join(packing, 'temporal'), 0o755);
    await writeFile(path.join(packing, 'LICENSE'), 'MIT\n');
    await execFileAsync('tar', ['-czf', path.join(scratch, assetName), 'temporal', 'LICENSE'], { cwd: packing });
    archive = await readFile(path.join(scratch, assetName));
  });
  after(async () => {
    for (const host of hosts) host.close();
    await rm(scratch, { recursive: true, force: true });
  });

  /** A download service and release host serving the archive, with these checksums. */
  async function release(checksums: string): Promise<NodeJS.ProcessEnv> {
    const files: Record<string, Buffer> = { '/archive.tar.gz': archive, '/checksums.txt': Buffer.from(checksums) };
    const host = await startFileHost(files);
    hosts.push(host);
    files[infoPath] = Buffer.from(JSON.stringify({ archiveUrl: `${host.base}/archive.tar.gz`, fileToExtract: 'temporal' }));
    return { TEMPORAL_CLI_DOWNLOAD_URL: host.base, TEMPORAL_CLI_CHECKSUMS_URL: `${host.base}/checksums.txt` };
  }

  test('an archive matching its published checksum is unpacked into the cache and runs', async () => {
    const env = await release(`${sha256(Buffer.from('another platform'))}  temporal_cli_${bare}_windows_amd64.zip\n${sha256(archive)}  ${assetName}\n`);
    const dir = await mkdtemp(path.join(scratch, 'cache-'));
    const lines: string[] = [];
    assert.equal(await downloadTemporalCli(dir, (line) => lines.push(line), env), 'downloaded');
    const { stdout } = await execFileAsync(path.join(dir, 'temporal'), ['--version']);
    assert.match(stdout, new RegExp(`temporal version ${bare.replace(/\./g, '\\.')}`));
    assert.deepEqual(await readdir(dir), ['temporal'], 'nothing else is left in the cache');
    assert.ok(lines.some((line) => line.includes('SHA-256 checked')), lines.join('\n'));
  });

  test('an archive that does not match is refused and nothing is installed', async () => {
    const env = await release(`${sha256(Buffer.from('what was published'))}  ${assetName}\n`);
    const dir = await mkdtemp(path.join(scratch, 'cache-'));
    await assert.rejects(downloadTemporalCli(dir, () => undefined, env), (error: Error) =>
      error instanceof TemporalCliChecksumError && error.message.includes(`not the published ${sha256(Buffer.from('what was published'))}`));
    assert.deepEqual(await readdir(dir), []);
  });

  test('checksums that do not list the archive are refused too', async () => {
    const env = await release(`${sha256(archive)}  temporal_cli_${bare}_plan9_amd64.tar.gz\n`);
    const dir = await mkdtemp(path.join(scratch, 'cache-'));
    await assert.rejects(downloadTemporalCli(dir, () => undefined, env), /checksums do not list/);
    assert.deepEqual(await readdir(dir), []);
  });

  test('an unreachable download service leaves the build to Go, saying why', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const dir = await mkdtemp(path.join(scratch, 'cache-'));
    const outcome = await downloadTemporalCli(dir, () => undefined, { TEMPORAL_CLI_DOWNLOAD_URL: closed, TEMPORAL_CLI_CHECKSUMS_URL: `${closed}/checksums.txt` });
    assert.ok(outcome !== 'downloaded' && outcome.unavailable.length > 0);
    assert.deepEqual(await readdir(dir), []);
  });
});
