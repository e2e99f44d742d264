/**
 * Cross-check of the Chatwoot simulator and client against Chatwoot's own OpenAPI file
 * (shared/contracts, never copied into the project): every route the simulator registers
 * is in the spec with the same method, and every request the client makes (path, method,
 * query parameters, JSON and multipart body fields, string enums) is declared there —
 * except what CONTRACTS.md documents as code-only, listed below with its reason.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createChatwootClient } from '../../integrations/chatwoot/client.ts';
import { buildChatwootApp } from '../simulators/chatwoot/app.ts';
import { createSimulatorState } from '../simulators/chatwoot/state.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const specPath = resolve(repoRoot, '../shared/contracts/chatwoot/swagger.json');
const skip = existsSync(specPath) ? false : `cross-check skipped: ${specPath} not found`;

/** Operations Chatwoot v4.15.1 serves that its spec does not describe. */
const CODE_ONLY_OPERATIONS: Array<{ method: string; path: RegExp; reason: string }> = [
  {
    method: 'PATCH',
    path: /^\/api\/v1\/accounts\/\{account_id\}\/conversations\/\{conversation_id\}\/messages\/\{message_id\}$/,
    reason: 'CONTRACTS.md §1.5 and §1.9: the API-inbox message status PATCH is implemented but not in the spec',
  },
  {
    method: 'GET',
    path: /^\/rails\/active_storage\//,
    reason: 'CONTRACTS.md §1.5 and §1.7: data_url is a Rails Active Storage redirect (302 to the file), not an API route',
  },
];

/** Body fields the code accepts that the spec's request schema leaves out, as `METHOD path field`. */
const CODE_ONLY_FIELDS: Record<string, string> = {
  'POST /api/v1/accounts/{account_id}/contacts source_id':
    'CONTRACTS.md §1.2: inbox_id and optional source_id create the contact-inbox in the same call',
  'POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages source_id':
    'CONTRACTS.md §1.5: source_id is stored on the message and echoed in webhooks (the WhatsApp id)',
  'POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages is_voice_message':
    'CONTRACTS.md §1.5: multipart flag marking audio attachments as voice notes',
};

interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
}
interface Operation {
  parameters?: Array<{ name?: string; in?: string; $ref?: string }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
type Spec = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

const loadSpec = (): Spec => JSON.parse(readFileSync(specPath, 'utf8')) as Spec;
const codeOnly = (method: string, path: string) => CODE_ONLY_OPERATIONS.find((op) => op.method === method && op.path.test(path));

/** Follows $ref and merges allOf, so `properties` is the whole picture. */
function resolveSchema(spec: Spec, schema: Schema | undefined): Schema {
  if (schema === undefined) return {};
  if (schema.$ref !== undefined) return resolveSchema(spec, spec.components.schemas[schema.$ref.split('/').pop()!]);
  if (schema.allOf === undefined) return schema;
  const parts = schema.allOf.map((part) => resolveSchema(spec, part));
  return { ...schema, properties: Object.assign({}, ...parts.map((part) => part.properties ?? {})) as Record<string, Schema> };
}

/** The spec path template a concrete path matches, literal segments first (`contacts/filter` before `contacts/{id}`). */
function specPathFor(spec: Spec, path: string): string | undefined {
  const candidates = Object.keys(spec.paths).filter((template) => {
    const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+');
    return new RegExp(`^${pattern}$`).test(path);
  });
  return candidates.sort((a, b) => a.split('{').length - b.split('{').length)[0];
}

/** Every field of `value` is declared in `schema` (recursively where the schema lists properties), and strings fit enums. */
function checkFields(spec: Spec, where: string, value: unknown, schema: Schema, problems: string[]): void {
  const resolved = resolveSchema(spec, schema);
  if (typeof value === 'string' && resolved.enum !== undefined && !resolved.enum.includes(value)) {
    problems.push(`${where}: "${value}" is not one of ${JSON.stringify(resolved.enum)}`);
  }
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) checkFields(spec, `${where}[]`, item, resolved.items ?? {}, problems);
    return;
  }
  if (typeof value !== 'object' || value === null || resolved.properties === undefined) return;
  for (const [field, inner] of Object.entries(value as Record<string, unknown>)) {
    const declared = resolved.properties[field];
    if (declared === undefined) {
      if (CODE_ONLY_FIELDS[`${where} ${field}`] === undefined) problems.push(`${where}: field ${field} is not in the spec`);
      continue;
    }
    checkFields(spec, `${where} ${field}`, inner, declared, problems);
  }
}

interface CapturedRequest {
  method: string;
  url: URL;
  contentType: 'json' | 'multipart' | 'none';
  body: Record<string, unknown> | undefined;
}

/** A client whose requests are captured and answered with minimal valid bodies. */
function capturingClient() {
  const requests: CapturedRequest[] = [];
  const answer = (body: unknown) => Promise.resolve(new Response(JSON.stringify(body), { status: 200 }));
  const fakeFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const method = init?.method ?? 'GET';
    const form = init?.body instanceof FormData ? init.body : undefined;
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : form && Object.fromEntries(form.entries());
    requests.push({ method, url, contentType: form ? 'multipart' : body ? 'json' : 'none', body });
    const route = `${method} ${url.pathname.replace(/\/\d+/g, '/N')}`;
    const contact = { id: 1, name: 'Rui', phone_number: '+351912345678', identifier: 'wa:1', contact_inboxes: [] };
    if (url.pathname.startsWith('/rails/')) return Promise.resolve(new Response(new Uint8Array([1, 2, 3]), { status: 200 }));
    if (route.endsWith('/contacts/filter')) return answer({ meta: { count: 0 }, payload: [] });
    if (route === 'POST /api/v1/accounts/N/contacts') return answer({ payload: { contact } });
    if (route.endsWith('/contact_inboxes')) return answer({ source_id: 's', inbox: { id: 7 } });
    if (route.endsWith('/conversations') && method === 'GET') return answer({ payload: [] });
    if (route.endsWith('/conversations')) return answer({ id: 1, status: 'open', inbox_id: 7 });
    if (route.endsWith('/toggle_status')) return answer({ payload: { success: true, current_status: body?.status } });
    if (route.endsWith('/messages') && method === 'GET') return answer({ payload: [] });
    if (route.endsWith('/labels')) return answer({ payload: Array.isArray(body?.labels) ? body.labels : [] });
    return answer({ id: 1, message_type: 0, content: 'x', private: false, source_id: null });
  };
  const client = createChatwootClient({ baseUrl: 'http://chatwoot.test', accountId: 1, inboxId: 7, apiToken: 'contract-token', fetch: fakeFetch });
  return { requests, client };
}

test('every route the simulator registers is in the spec with the same method (code-only ones listed)', { skip }, async () => {
  const spec = loadSpec();
  const ctx = { state: createSimulatorState({ accountId: 1, inboxId: 7, apiToken: 't' }), emit: () => undefined };
  const { app, routes } = buildChatwootApp(ctx, new AbortController().signal);
  await app.ready();
  await app.close();
  const own = routes.filter((route) => route.method !== 'HEAD'); // Fastify adds HEAD to every GET
  assert.ok(own.length >= 10, `expected the simulator's routes, got ${own.length}`);
  for (const route of own) {
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    const exception = codeOnly(route.method, path);
    if (exception !== undefined) {
      assert.equal(spec.paths[path]?.[route.method.toLowerCase()], undefined, `${route.method} ${path} is in the spec now: drop the exception`);
      continue;
    }
    assert.ok(spec.paths[path], `${route.method} ${route.url}: ${path} is not in the spec`);
    assert.ok(spec.paths[path][route.method.toLowerCase()], `${path} has no ${route.method} in the spec`);
  }
});

test('every request the client makes is declared in the spec: path, method, query, body fields and enums', { skip }, async () => {
  const spec = loadSpec();
  const { requests, client } = capturingClient();
  await client.findContactByPhone('+351912345678');
  await client.createContact({ name: 'Rui', phoneE164: '+351912345678', identifier: 'wa:1', sourceId: '351912345678@c.us' });
  await client.ensureContactInbox(1, '351912345678@c.us');
  await client.contactConversations(1);
  await client.createConversation({ contactId: 1, sourceId: '351912345678@c.us' });
  await client.setConversationStatus(1, 'resolved');
  await client.createMessage(1, { content: 'Olá', messageType: 'incoming', sourceId: 'wa:A', inReplyToExternalId: 'wa:B' });
  const file = { filename: 'nota.ogg', contentType: 'audio/ogg', bytes: Buffer.from('OggS') };
  await client.createMessage(1, { content: 'voz', messageType: 'incoming', sourceId: 'wa:C', inReplyToExternalId: 'wa:A', attachments: [file], isVoiceMessage: true });
  await client.createMessage(1, { content: 'Nota', messageType: 'outgoing', private: true });
  await client.messages(1, { before: 10, after: 2 });
  await client.setMessageStatus(1, 1, 'failed', 'refused');
  await client.downloadAttachment('http://chatwoot.test/rails/active_storage/blobs/redirect/abc--sim/nota.ogg', 100);
  await client.conversationLabels(1);
  await client.setConversationLabels(1, ['onboarding', 'docs-pending']);
  assert.equal(requests.length, 14);
  assert.deepEqual(requests[7]?.contentType, 'multipart');

  const problems: string[] = [];
  for (const request of requests) {
    const template = specPathFor(spec, request.url.pathname);
    if (codeOnly(request.method, template ?? request.url.pathname) !== undefined) continue;
    assert.ok(template, `${request.method} ${request.url.pathname} matches no path in the spec`);
    const operation = spec.paths[template]?.[request.method.toLowerCase()];
    assert.ok(operation, `${template} has no ${request.method} in the spec`);
    const declaredQuery = new Set((operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name));
    for (const name of request.url.searchParams.keys()) if (!declaredQuery.has(name)) problems.push(`${template}: query ${name} is not in the spec`);
    if (request.body === undefined) continue;
    const mediaType = request.contentType === 'multipart' ? 'multipart/form-data' : 'application/json';
    const schema = operation.requestBody?.content?.[mediaType]?.schema;
    assert.ok(schema, `${request.method} ${template} declares no ${mediaType} body`);
    checkFields(spec, `${request.method} ${template}`, request.body, schema, problems);
  }
  assert.deepEqual(problems, []);
});
