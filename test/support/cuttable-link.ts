import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * The network between the system and one of its dependencies: a TCP relay that can be cut (its
 * connections reset, new ones refused) and restored on the same port.
 */
export async function cuttableLink(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let listening = false;
  const listen = async () => {
    if (listening) return;
    server = createServer((inbound) => {
      const outbound = connect(target.port, target.host);
      for (const socket of [inbound, outbound]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve, reject) => server!.once('error', reject).listen(port, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    listening = true;
  };
  await listen();
  return {
    get port() {
      return port;
    },
    async cut() {
      listening = false;
      const closed = new Promise((resolve) => server!.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    restore: listen,
    close() {
      for (const socket of sockets) socket.destroy();
      server?.close();
    },
  };
}
