import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';

export interface RecordingServer {
  /** The path of every request, in arrival order. */
  requests: string[];
  port: number;
  close: () => Promise<void>;
}

/** A local server standing for an internal service (or a redirecting one): answers with `answer`, recording every request. */
export async function recordingServer(answer: (url: string) => { status: number; headers?: Record<string, string>; body?: string }): Promise<RecordingServer> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const { status, headers = {}, body = '' } = answer(request.url ?? '');
    response.writeHead(status, headers).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { requests, port: (server.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * An "internal service" holding a secret, and a server on an allowed host that redirects to it: the
 * pair a forged attachment or media URL would use to make the bridge read an internal address.
 * Started before the suite's tests and closed after; read them inside a test.
 */
export function useInternalServers(): { internal: () => RecordingServer; redirector: () => RecordingServer } {
  let internal: RecordingServer | undefined;
  let redirector: RecordingServer | undefined;
  before(async () => {
    internal = await recordingServer(() => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'segredo interno: db-password=hunter2' }));
    redirector = await recordingServer(() => ({ status: 302, headers: { location: `http://localhost:${internal!.port}/admin/secret.txt` } }));
  });
  after(async () => {
    await internal?.close();
    await redirector?.close();
  });
  return { internal: () => internal!, redirector: () => redirector! };
}
