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
import { createWppConnectClient } from '../../integrations/wppconnect/client.ts';
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
    if (route.startsWith('send-seen')) return Promise.resolve(answer(201, { status: 'Success', response: {} }));
    if (route.startsWith('send-')) return Promise.resolve(answer(201, { status: 'success', response: [{ ack: 1, id: 'true_1@c.us_3EB0' }] }));
    if (route.startsWith('get-messages/') || route === 'all-new-messages') {
      return Promise.resolve(answer(200, { status: 'success', response: [] }));
    }
    if (route === 'download-media') return Promise.resolve(answer(200, { base64: 'AAAA', mimetype: 'image/jpeg' }));
    if (route === 'list-chats') return Promise.resolve(answer(200, []));
    if (route.startsWith('contact/pn-lid/')) return Promise.resolve(answer(200, {}));
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
  const registered = new Set(own.map((route) => `${route.method} ${route.url.replace('/api/:session/', '')}`));
  for (const expected of [
    'POST send-message', 'POST send-image', 'POST send-file', 'POST send-file-base64', 'POST send-voice',
    'POST send-voice-base64', 'POST download-media', 'GET get-media-by-message/:messageId', 'GET get-messages/:phone',
    'GET all-new-messages', 'POST list-chats', 'GET message-by-id/:messageId', 'POST send-seen',
    'GET contact/pn-lid/:pnLid', 'POST start-session', 'GET status-session', 'GET check-connection-session',
    'GET qrcode-session', 'POST close-session', 'POST logout-session',
  ]) {
    assert.ok(registered.has(expected), `the simulator does not register ${expected}`);
  }
  for (const route of own) {
    const path = asSpecPath(route.url);
    assert.ok(spec.paths[path], `${route.method} ${route.url}: ${path} is not in the spec`);
    assert.ok(spec.paths[path][route.method.toLowerCase()], `${path} has no ${route.method} in the spec`);
  }
});

/**
 * Body fields the server reads that swagger-autogen's comments leave out (CONTRACTS.md §2.3):
 * the sendFile and sendVoice64 controllers read `quotedMessageId`, and the statusConnection
 * middleware in front of every send and read route reads `isLid` to address a LID.
 */
const readButUndeclared: Record<string, string[]> = {
  '/api/{session}/send-image': ['quotedMessageId'],
  '/api/{session}/send-file-base64': ['quotedMessageId'],
  '/api/{session}/send-voice-base64': ['quotedMessageId', 'isLid'],
  '/api/{session}/send-seen': ['isLid'],
};

const JPEG = 'data:image/jpeg;base64,/9j/4AAQ';
const quoted = 'false_351912345678@c.us_3EB0A1B2C3D4E5F6';

test('every request the client makes is declared in the spec: path, method, body fields, query parameters', { skip }, async () => {
  const spec = loadSpec();
  const { requests, client } = capturingClient();
  await client.sendText({ phone: '351912345678', message: 'Olá' });
  await client.chatMessages({ chatId: '351912345678@c.us', count: 5 });
  await client.connectionStatus();
  await client.sendText({ phone: '123456789012345@lid', message: 'Olá', quotedMessageId: quoted });
  await client.sendImage({ phone: '351912345678', dataUrl: JPEG, filename: 'a.jpg', caption: 'c', quotedMessageId: quoted });
  await client.sendFile({ phone: '123456789012345@lid', dataUrl: 'data:application/pdf;base64,JVBE', filename: 'a.pdf', caption: 'c', quotedMessageId: quoted });
  await client.sendVoice({ phone: '123456789012345@lid', dataUrl: 'data:audio/ogg;base64,T2dnUw==', quotedMessageId: quoted });
  await client.downloadMedia(quoted);
  await client.chatMessages({ chatId: '123456789012345@lid', count: 5, beforeId: quoted });
  await client.newMessages();
  await client.listChats({ count: 20, onlyWithUnread: true });
  await client.phoneOfLid('123456789012345@lid');
  await client.markChatRead('123456789012345@lid');
  assert.deepEqual(
    requests.map((request) => request.path.split('/').pop()),
    [
      'generate-token', 'send-message', '351912345678@c.us', 'check-connection-session', 'send-message', 'send-image',
      'send-file-base64', 'send-voice-base64', 'download-media', '123456789012345@lid', 'all-new-messages', 'list-chats',
      '123456789012345@lid', 'send-seen',
    ],
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
      const known = field in properties || (readButUndeclared[template] ?? []).includes(field);
      assert.ok(known, `${template}: body field ${field} is not in the spec`);
    }
  }
  const sendBody = requests[1]?.body as Record<string, unknown>;
  assert.deepEqual(Object.keys(sendBody).sort(), ['isGroup', 'message', 'phone']);
  assert.deepEqual(requests[4]?.body, { phone: '123456789012345', isGroup: false, isLid: true, message: 'Olá', options: { quotedMsg: quoted } });
  assert.equal(requests[9]?.query.toString(), `count=5&direction=before&id=${encodeURIComponent(quoted)}`);
});
