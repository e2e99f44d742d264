/**
 * The sandbox's web page on the console's server: `GET /` and its two files from
 * scripts/sandbox-page/ (plain HTML, CSS and a JavaScript module: no build step, nothing from
 * elsewhere), `GET /links` (where the header's links go), and `GET /events` (live updates).
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { ChangeFeed } from './sandbox-events.ts';

export interface SandboxLinks {
  /** The reviewer console, `<API url>/console`. */
  console?: string;
  /** The Temporal Web UI. */
  temporalUi?: string;
}

const pageDir = new URL('../sandbox-page/', import.meta.url);

/** Only these files, by name: nothing else under the folder (or outside it) is served. */
const assets: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/sandbox.css': { file: 'sandbox.css', type: 'text/css; charset=utf-8' },
  '/sandbox.js': { file: 'sandbox.js', type: 'text/javascript; charset=utf-8' },
};

/** The page's own files only; images are attachments from this server, links open elsewhere. */
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function registerSandboxPage(app: FastifyInstance, options: { links: SandboxLinks; feed: ChangeFeed }): void {
  for (const [route, asset] of Object.entries(assets)) {
    // Read on each request, so an edit shows on reload.
    app.get(route, async (_request, reply) =>
      reply
        .header('content-type', asset.type)
        .header('cache-control', 'no-cache')
        .header('content-security-policy', contentSecurityPolicy)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .send(await readFile(new URL(asset.file, pageDir))),
    );
  }

  // The page has no icon: a browser asking for one gets nothing, not an error.
  app.get('/favicon.ico', async (_request, reply) => reply.status(204).send());
  app.get('/links', async () => options.links);

  app.get('/events', (request, reply) => options.feed.open(request, reply));
  app.addHook('preClose', async () => options.feed.close());
}
