import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { downloadAtMost } from '../../integrations/http/download.ts';

/**
 * The bounded download the bridge uses for agents' attachments and the bot's media, against a real
 * HTTP server: `127.0.0.1` is the allowed host, `localhost` (the same server) stands for an
 * internal address no setting allows.
 */
describe('downloading a file only from allowed hosts', () => {
  let server: Server;
  let port: number;
  const asked: string[] = [];
  const file = Buffer.alloc(64 * 1024, 1);
  before(async () => {
    server = createServer((request, response) => {
      const url = request.url ?? '';
      asked.push(`${request.headers.host?.split(':')[0]}${url}`);
      if (url === '/file') response.writeHead(200, { 'content-type': 'image/png; charset=binary' }).end(file);
      else if (url === '/to-internal') response.writeHead(302, { location: `http://localhost:${port}/file` }).end();
      else if (url.startsWith('/hop/')) {
        const left = Number(url.slice('/hop/'.length));
        response.writeHead(302, { location: left === 0 ? '/file' : `/hop/${left - 1}` }).end();
      } else response.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  after(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  const limits = { maxBytes: 1024 * 1024, timeoutMs: 5_000, what: 'The test file', allowedHosts: ['127.0.0.1'] };

  it('downloads from an allowed host, following a redirect there, and says it is alive while bytes arrive', async () => {
    let beats = 0;
    const download = await downloadAtMost(fetch, `http://127.0.0.1:${port}/hop/1`, { ...limits, onProgress: () => (beats += 1) });
    assert.equal(download.status, 'ok');
    assert.ok(download.status === 'ok' && download.bytes.equals(file));
    assert.equal(download.status === 'ok' && download.contentType, 'image/png');
    assert.ok(beats > 0, 'progress reported');
  });

  it('never connects to a host that is not allowed, nor to one in a redirect', async () => {
    const before = asked.length;
    assert.deepEqual(await downloadAtMost(fetch, `http://localhost:${port}/file`, limits), { status: 'not-allowed', why: 'origin', reason: 'the host localhost is not an allowed source' });
    assert.equal(asked.length, before, 'nothing asked');
    const redirected = await downloadAtMost(fetch, `http://127.0.0.1:${port}/to-internal`, limits);
    assert.deepEqual(redirected, { status: 'not-allowed', why: 'origin', reason: 'a redirect led elsewhere: the host localhost is not an allowed source' });
    assert.deepEqual(asked.slice(before), ['127.0.0.1/to-internal']);
  });

  it('refuses other schemes, credentials in the address and a fourth redirect', async () => {
    assert.deepEqual(await downloadAtMost(fetch, 'file:///etc/passwd', limits), { status: 'not-allowed', why: 'address', reason: 'the scheme file: is not allowed' });
    assert.deepEqual(await downloadAtMost(fetch, `http://user:secret@127.0.0.1:${port}/file`, limits), { status: 'not-allowed', why: 'origin', reason: 'an address with credentials is not allowed' });
    assert.equal((await downloadAtMost(fetch, `http://127.0.0.1:${port}/hop/2`, limits)).status, 'ok', 'three redirects are followed');
    assert.deepEqual(await downloadAtMost(fetch, `http://127.0.0.1:${port}/hop/3`, limits), { status: 'not-allowed', why: 'redirects', reason: 'more than 3 redirects' });
  });

  it('stops reading past the size limit, and stops when its attempt is cancelled', async () => {
    assert.deepEqual(await downloadAtMost(fetch, `http://127.0.0.1:${port}/file`, { ...limits, maxBytes: 1000 }), { status: 'too-large' });
    const cancelled = new AbortController();
    cancelled.abort();
    await assert.rejects(downloadAtMost(fetch, `http://127.0.0.1:${port}/file`, { ...limits, signal: cancelled.signal }), /The test file failed/);
  });
});
