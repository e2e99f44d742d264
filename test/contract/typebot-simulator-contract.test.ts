/**
 * Cross-check of the Typebot simulator against Typebot's own Chat API OpenAPI file
 * (shared/contracts/typebot/viewer.json, never copied into the project): every route the
 * simulator registers is in the spec with the same method (the upload bucket is S3's, not
 * the viewer's, and is listed below), and the bodies it answers fit the spec's response
 * schemas, with no field the spec does not declare.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildTypebotApp } from '../simulators/typebot/app.ts';
import { loadFlow, startTypebotSimulator, type TypebotSimulator } from '../simulators/typebot/index.ts';
import { createSimulatorState } from '../simulators/typebot/state.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const specPath = resolve(repoRoot, '../shared/contracts/typebot/viewer.json');
const skip = existsSync(specPath) ? false : `cross-check skipped: ${specPath} not found`;

/** Routes the simulator serves that the viewer's spec does not describe. */
const CODE_ONLY_ROUTES: Array<{ method: string; url: RegExp; reason: string }> = [
  { method: 'POST', url: /^\/typebot$/, reason: 'CONTRACTS.md §3.1: the presignedUrl is the S3 bucket (browser-upload POST), not a viewer route' },
  { method: 'GET', url: /^\/typebot\/\*$/, reason: 'CONTRACTS.md §3.1: the fileUrl is the stored object in the S3 bucket' },
];

interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  const?: unknown;
  enum?: unknown[];
  additionalProperties?: unknown;
}
interface Operation {
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
type Spec = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

const loadSpec = (): Spec => JSON.parse(readFileSync(specPath, 'utf8')) as Spec;
const deref = (spec: Spec, schema: Schema): Schema => (schema.$ref === undefined ? schema : deref(spec, spec.components.schemas[schema.$ref.split('/').pop() ?? ''] ?? {}));

/** Property names a schema declares, through $ref, allOf, anyOf and oneOf. */
function declared(spec: Spec, schema: Schema): Set<string> {
  const resolved = deref(spec, schema);
  const names = new Set(Object.keys(resolved.properties ?? {}));
  for (const part of [...(resolved.allOf ?? []), ...(resolved.anyOf ?? []), ...(resolved.oneOf ?? [])]) for (const name of declared(spec, part)) names.add(name);
  return names;
}

const typeOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value);

/** Problems of `value` against `schema`; `siblings` are property names other allOf parts declare. */
function check(spec: Spec, value: unknown, schema: Schema, where: string, siblings: Set<string> = new Set()): string[] {
  const s = deref(spec, schema);
  const problems: string[] = [];
  if (s.allOf !== undefined) {
    const all = new Set([...siblings, ...s.allOf.flatMap((part) => [...declared(spec, part)])]);
    for (const part of s.allOf) problems.push(...check(spec, value, part, where, all));
  }
  for (const alternatives of [s.anyOf, s.oneOf]) {
    if (alternatives === undefined) continue;
    const results = alternatives.map((alternative) => check(spec, value, alternative, where, siblings));
    if (!results.some((result) => result.length === 0)) problems.push(`${where}: fits none of ${alternatives.length} alternatives (${results.map((r) => r[0]).join(' | ')})`);
  }
  if ('const' in s && !isDeepStrictEqual(value, s.const)) problems.push(`${where}: ${JSON.stringify(value)} is not ${JSON.stringify(s.const)}`);
  if (s.enum !== undefined && !s.enum.includes(value)) problems.push(`${where}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
  const types = s.type === undefined ? [] : [s.type].flat();
  if (types.length > 0 && !types.includes(typeOf(value)) && !(types.includes('number') && typeOf(value) === 'integer')) problems.push(`${where}: ${typeOf(value)} is not ${types.join('|')}`);
  if (Array.isArray(value) && s.items !== undefined) value.forEach((item, index) => problems.push(...check(spec, item, s.items ?? {}, `${where}[${index}]`)));
  if (typeOf(value) === 'object' && s.properties !== undefined) {
    const record = value as Record<string, unknown>;
    for (const field of s.required ?? []) if (!(field in record)) problems.push(`${where}: required ${field} is missing`);
    for (const [field, inner] of Object.entries(record)) {
      const property = s.properties[field];
      if (property !== undefined) problems.push(...check(spec, inner, property, `${where}.${field}`));
      else if (!siblings.has(field) && s.additionalProperties === undefined) problems.push(`${where}: field ${field} is not in the spec`);
    }
  }
  return problems;
}

function responseSchema(spec: Spec, path: string, status: number): Schema {
  const schema = spec.paths[path]?.post?.responses?.[String(status)]?.content?.['application/json']?.schema;
  assert.ok(schema, `${path} declares no ${status} JSON response`);
  return schema;
}

const p = (text: string, marks: object = {}) => ({ type: 'p', children: [{ text, ...marks }] });
const contractFlow = {
  version: '6.1',
  name: 'Contrato',
  events: [{ id: 'ev', type: 'start', outgoingEdgeId: 'e0' }],
  variables: [{ id: 'v_nome', name: 'Nome' }, { id: 'v_mail', name: 'Email' }, { id: 'v_doc', name: 'Doc' }, { id: 'v_veic', name: 'Veiculo' }],
  theme: {},
  settings: {},
  groups: [
    { id: 'g1', title: 'Um', blocks: [
      { id: 'b_hi', type: 'text', content: { richText: [p('Olá '), p('{{Nome}}', { bold: true })] } },
      { id: 'b_img', type: 'image', content: { url: 'https://cdn.example.pt/logo.png' } },
      { id: 'b_veic', type: 'choice input', options: { variableId: 'v_veic' }, items: [{ id: 'i1', content: 'Mota' }, { id: 'i2', content: 'Carro', value: 'car' }] },
      { id: 'b_mail', type: 'email input', options: { variableId: 'v_mail', retryMessageContent: 'Email inválido' } },
      { id: 'b_doc', type: 'file input', options: { variableId: 'v_doc', allowedFileTypes: { isEnabled: true, types: ['pdf'] } } },
      { id: 'b_bye', type: 'text', content: { richText: [p('Obrigado.')] } },
    ] },
  ],
  edges: [{ id: 'e0', from: { eventId: 'ev' }, to: { groupId: 'g1' } }],
};

async function post(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

test('every route the simulator registers is in the spec with the same method (the bucket listed apart)', { skip }, async () => {
  const spec = loadSpec();
  const state = createSimulatorState(loadFlow(contractFlow), {
    publicId: 'contrato', publicBaseUrl: 'http://typebot.test', bucket: 'typebot', ssrfAllowedHosts: [], developmentMode: false,
    httpRequestTimeouts: true, storageSecret: 's', now: () => new Date(),
  });
  const { app, routes } = buildTypebotApp(state, new AbortController().signal);
  await app.ready();
  await app.close();
  const own = routes.filter((route) => route.method !== 'HEAD');
  assert.equal(own.length, 5);
  for (const route of own) {
    if (CODE_ONLY_ROUTES.some((exception) => exception.method === route.method && exception.url.test(route.url))) continue;
    assert.ok(route.url.startsWith('/api/'), `${route.url}: the Chat API lives under /api`);
    const path = route.url.slice('/api'.length).replace(/:(\w+)/g, '{$1}');
    assert.ok(spec.paths[path], `${route.method} ${route.url}: ${path} is not in the spec`);
    assert.ok(spec.paths[path][route.method.toLowerCase()], `${path} has no ${route.method} in the spec`);
  }
});

test('startChat, continueChat and generate-upload-url answers fit the spec\'s response schemas', { skip }, async (t) => {
  const spec = loadSpec();
  const sim: TypebotSimulator = await startTypebotSimulator({ flow: contractFlow, publicId: 'contrato' });
  t.after(() => sim.close());
  const startPath = '/v1/typebots/{publicId}/startChat';
  const continuePath = '/v1/sessions/{sessionId}/continueChat';
  const answers: Array<[string, string, { status: number; body: unknown }]> = [];
  const start = async (format: string) => post(`${sim.url}/api/v1/typebots/contrato/startChat`, { textBubbleContentFormat: format, prefilledVariables: { Nome: 'Rui' } });

  answers.push([startPath, 'startChat (rich text)', await start('richText')]);
  const started = await start('markdown');
  answers.push([startPath, 'startChat (markdown)', started]);
  const sessionId = (started.body as { sessionId: string }).sessionId;
  const say = (text: string) => post(`${sim.url}/api/v1/sessions/${sessionId}/continueChat`, { message: { type: 'text', text }, textBubbleContentFormat: 'markdown' });
  answers.push([continuePath, 'invalid choice (retry)', await say('carro')]);
  answers.push([continuePath, 'choice', await say('Carro')]);
  answers.push([continuePath, 'invalid email (retry)', await say('rui@')]);
  answers.push([continuePath, 'email, then the file input', await say('rui@exemplo.pt')]);
  const grant = await post(`${sim.url}/api/v3/generate-upload-url`, { sessionId, blockId: 'b_doc', fileName: 'doc.pdf', fileType: 'application/pdf', fileSize: 10 });
  answers.push(['/v3/generate-upload-url', 'generate-upload-url', grant]);
  answers.push(['/v3/generate-upload-url', 'generate-upload-url refused', await post(`${sim.url}/api/v3/generate-upload-url`, { sessionId, blockId: 'b_doc', fileName: 'x.exe', fileType: 'application/x-msdownload' })]);
  answers.push([continuePath, 'file URL, the end', await say((grant.body as { fileUrl: string }).fileUrl)]);
  answers.push([continuePath, 'after the end', await say('olá')]);
  answers.push([startPath, 'unknown bot', await post(`${sim.url}/api/v1/typebots/outro/startChat`, {})]);
  answers.push([startPath, 'invalid body', await post(`${sim.url}/api/v1/typebots/contrato/startChat`, { textBubbleContentFormat: 'html' })]);

  assert.deepEqual(answers.map(([, , answer]) => answer.status), [200, 200, 200, 200, 200, 200, 200, 400, 200, 404, 404, 400]);
  const problems = answers.flatMap(([path, label, answer]) => check(spec, answer.body, responseSchema(spec, path, answer.status), label));
  assert.deepEqual(problems, []);
});

test('the checker itself refuses a field the spec does not declare and a wrong type', { skip }, () => {
  const spec = loadSpec();
  const schema = responseSchema(spec, '/v1/sessions/{sessionId}/continueChat', 200);
  const problems = check(spec, { messages: [{ id: 'm', type: 'text', content: { type: 'markdown', markdown: 1 } }], extra: true }, schema, 'bad');
  assert.ok(problems.some((problem) => problem.includes('field extra is not in the spec')), problems.join('\n'));
  assert.ok(problems.some((problem) => problem.includes('bad.messages[0]')), problems.join('\n'));
});
