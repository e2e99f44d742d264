/**
 * Cross-check of the WPPConnect simulator and client against the server's own
 * OpenAPI file (shared/contracts, never copied into the project): every route the
 * simulator registers exists there with the same method, and every path, body
 * field and query parameter the client sends is declared there.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { createWppConnectClient } from '../../activities/clients/wppconnect-client.ts';
import { buildWppConnectApp } from '../simulators/wppconnect/app.ts';
import { createSimulatorState } from '../simulators/wppconnect/state.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const specPath = resolve(repoRoot, '../shared/contracts/wppconnect-server/swagger.json');
const skip = existsSync(specPath) ? false : `cross-check skipped: ${specPath} not found`;

interface Operation {
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
}
type Spec = { paths: Record<string, Record<string, Operation>> };

const loadSpec = (): Spec => JSON.parse(readFileSync(specPath, 'utf8')) as Spec;

/** Fastify's `/api/:session/x` as OpenAPI's `/api/{session}/x`. */
const asSpecPath = (url: string): string => url.replace(/:(\w+)/g, '{$1}');

/** The spec path template a concrete request path matches, if any. */
function specPathFor(spec: Spec, path: string): string | undefined {
  return Object.keys(spec.paths).find((template) => {
    const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+');
    return new RegExp(`^${pattern}$`).test(path);
  });
}

interface CapturedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

/** A client whose requests are captured and answered with minimal valid bodies. */
function capturingClient(): { requests: CapturedRequest[]; client: ReturnType<typeof createWppConnectClient> } {
  const requests: CapturedRequest[] = [];
  const answer = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });
  const fakeFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    requests.push({ method: init?.method ?? 'GET', path: url.pathname, query: url.searchParams, body });
    const route = url.pathname.split('/').slice(3).join('/');
    if (route.endsWith('generate-token')) return Promise.resolve(answer(201, { status: 'success', token: 't' }));
    if (route === 'send-message') return Promise.resolve(answer(201, { status: 'success', response: [{ id: 'true_1@c.us_3EB0' }] }));
    if (route.startsWith('get-messages/')) return Promise.resolve(answer(200, { status: 'success', response: [] }));
    return Promise.resolve(answer(200, { status: true, message: 'Connected' }));
  };
  const client = createWppConnectClient({ baseUrl: 'http://wpp.test', session: 'bridge', secretKey: 'secret', fetch: fakeFetch });
  return { requests, client };
}

test('every route the simulator registers is in the spec with the same method', { skip }, async () => {
  const spec = loadSpec();
  const { app, routes } = buildWppConnectApp(createSimulatorState({ session: 'bridge', secretKey: 'k' }), new AbortController().signal);
  await app.ready();
  await app.close();
  // Fastify adds HEAD for every GET, as Express answers HEAD for GET routes.
  const own = routes.filter((route) => route.method !== 'HEAD');
  assert.ok(own.length >= 6, `expected the simulator's routes, got ${own.length}`);
  for (const route of own) {
    const path = asSpecPath(route.url);
    assert.ok(spec.paths[path], `${route.method} ${route.url}: ${path} is not in the spec`);
    assert.ok(spec.paths[path][route.method.toLowerCase()], `${path} has no ${route.method} in the spec`);
  }
});

test('every request the client makes is declared in the spec: path, method, body fields, query parameters', { skip }, async () => {
  const spec = loadSpec();
  const { requests, client } = capturingClient();
  await client.sendText({ phone: '351912345678', message: 'Olá' });
  await client.recentMessages({ phone: '351912345678', count: 5 });
  await client.connectionStatus();
  assert.deepEqual(
    requests.map((request) => request.path.split('/').pop()),
    ['generate-token', 'send-message', '351912345678@c.us', 'check-connection-session'],
  );
  for (const request of requests) {
    const template = specPathFor(spec, request.path);
    assert.ok(template, `${request.method} ${request.path} matches no path in the spec`);
    const operation = spec.paths[template]?.[request.method.toLowerCase()];
    assert.ok(operation, `${template} has no ${request.method} in the spec`);
    const declaredQuery = new Set((operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name));
    for (const name of request.query.keys()) assert.ok(declaredQuery.has(name), `${template}: query parameter ${name} is not in the spec`);
    if (request.body === undefined) continue;
    const properties = operation.requestBody?.content?.['application/json']?.schema?.properties ?? {};
    for (const field of Object.keys(request.body as object)) {
      assert.ok(field in properties, `${template}: body field ${field} is not in the spec`);
    }
  }
  const sendBody = requests[1]?.body as Record<string, unknown>;
  assert.deepEqual(Object.keys(sendBody).sort(), ['isGroup', 'message', 'phone']);
});
