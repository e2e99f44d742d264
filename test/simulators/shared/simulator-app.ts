import Fastify, { type FastifyInstance } from 'fastify';

export interface RegisteredRoute {
  method: string;
  url: string;
}

/**
 * The Fastify app a simulator starts from: no logging, connections closed with it, the real
 * server's body limit, every route recorded (the contract tests hold them to the OpenAPI files),
 * and JSON parsed as both real servers do (Rails and express.json(): an empty body is no params).
 */
export function createSimulatorApp(bodyLimit: number): { app: FastifyInstance; routes: RegisteredRoute[] } {
  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit });
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    try {
      done(null, text === '' ? {} : (JSON.parse(text as string) as unknown));
    } catch (error) {
      done(Object.assign(error as Error, { statusCode: 400 }), undefined);
    }
  });
  return { app, routes };
}
