import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

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
