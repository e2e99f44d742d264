import { once } from 'node:events';
import { createServer } from 'node:net';

/** A TCP port of 127.0.0.1 free a moment ago (the OS's pick), for a server started next. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port from the listening socket');
  return address.port;
}
