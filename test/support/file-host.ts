import { createServer, type Server } from 'node:http';

/**
 * Stands in for Typebot's file storage: serves `files` by path, plus a few misbehaving paths
 * (`/redirect-away` to a host outside any allowlist, `/slow.jpg` answering after 3 s with
 * `/front.jpg`, `/huge.jpg` announcing 50 MB). Listening on 127.0.0.1; `base` is its address.
 */
export async function startFileHost(files: Record<string, Buffer>): Promise<{ base: string; close: () => void }> {
  const host: Server = createServer((request, response) => {
    const url = request.url ?? '';
    if (url === '/redirect-away') return void response.writeHead(302, { location: 'http://localhost:1/elsewhere.jpg' }).end();
    if (url === '/slow.jpg') return void setTimeout(() => response.end(files['/front.jpg']), 3000);
    if (url === '/huge.jpg') return void response.writeHead(200, { 'content-length': String(50 * 1024 * 1024) }).end();
    const file = files[url];
    if (file === undefined) return void response.writeHead(404).end('not found');
    response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(file);
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(host.address() as { port: number }).port}`, close: () => host.close() };
}
