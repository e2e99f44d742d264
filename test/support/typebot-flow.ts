/**
 * Reads a Typebot export (docs/typebot-flows/) the way Typebot would: the import schema taken from
 * Typebot's own OpenAPI file (shared/contracts, never copied) and the graph checks no schema can make.
 * Conversations are played on the Typebot simulator (test/simulators/typebot/), not here.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export interface Comparison { variableId?: string; comparisonOperator?: string; value?: string }
export interface ConditionContent { logicalOperator?: 'AND' | 'OR'; comparisons?: Comparison[] }
export interface TypebotItem { id: string; outgoingEdgeId?: string; content?: string | ConditionContent; value?: string }
export interface RichText { text?: string; children?: RichText[] }
export interface TypebotBlock {
  id: string; type: string; outgoingEdgeId?: string; items?: TypebotItem[]; content?: { richText?: RichText[] };
  options?: {
    variableId?: string; expressionToEvaluate?: string; isCode?: boolean; retryMessageContent?: string;
    webhook?: { url?: string; method?: string; body?: string; headers?: { key?: string; value?: string }[] };
    responseVariableMapping?: { variableId?: string; bodyPath?: string }[];
    [option: string]: unknown;
  };
}
export interface TypebotGroup { id: string; title: string; blocks: TypebotBlock[] }
export interface TypebotEdge { id: string; from: { eventId?: string; blockId?: string; itemId?: string }; to: { groupId: string; blockId?: string } }
export interface TypebotFlow {
  version: string; name: string; events: { id: string; type: string; outgoingEdgeId?: string }[];
  groups: TypebotGroup[]; edges: TypebotEdge[]; variables: { id: string; name: string }[];
}

// ---- Schema: the OpenAPI 3.1 document's import body as a JSON Schema 2020-12 document for ajv ----

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const at = (root: Json | undefined, path: string[]): Json | undefined =>
  path.reduce<Json | undefined>((node, key) => (Array.isArray(node) ? node[Number(key)] : isObject(node) ? node[key] : undefined), root);
const mapTree = (node: Json, fn: (node: JsonObject) => JsonObject): Json => {
  if (Array.isArray(node)) return node.map((child) => mapTree(child, fn));
  if (!isObject(node)) return node;
  return fn(Object.fromEntries(Object.entries(node).map(([key, child]) => [key, mapTree(child, fn)])));
};
const pointer = (path: string[]) => `#${path.map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')}`;

/** Where `POST /v1/typebots/import`'s request body declares `typebot` in builder.json. */
export const importTypebotSchemaPath = ['paths', '/v1/typebots/import', 'post', 'requestBody', 'content', 'application/json', 'schema', 'properties', 'typebot'];
const FAITHFUL = 'urn:typebot:import-typebot';
const CLOSED = 'urn:typebot:import-typebot:closed';

export interface TypebotSchemas {
  /** The import schema exactly as the spec states it. */
  typebot: ValidateFunction;
  /** Stricter than the spec (every object closed), for the top level, events, groups, edges, variables. */
  closedSkeleton: ValidateFunction;
  /** Stricter than the spec (every object closed), for one block type. */
  closedBlock(type: string): ValidateFunction;
  /** HTTP Request options, closed, as spelled out in the Pabbly component (see below). */
  closedHttpRequestOptions: ValidateFunction;
}

export function compileTypebotSchemas(specPath: string): TypebotSchemas {
  const spec = JSON.parse(readFileSync(specPath, 'utf8')) as JsonObject;
  // OpenAPI 3.1 schemas are JSON Schema 2020-12; 3.0 ones (nullable, boolean exclusiveMinimum) are not.
  if (typeof spec.openapi !== 'string' || !spec.openapi.startsWith('3.1')) throw new Error(`expected OpenAPI 3.1, got ${JSON.stringify(spec.openapi)}`);
  const typebot = at(spec, importTypebotSchemaPath);
  const components = at(spec, ['components', 'schemas']);
  if (!isObject(typebot) || !isObject(components)) throw new Error('builder.json: no import typebot schema or no components');
  // `$ref`s point into the OpenAPI document (#/components/schemas/X): the schema becomes a document
  // of its own with the components under `$defs`. Any other kind of reference is refused, not guessed.
  const document = mapTree({ ...typebot, $defs: components }, (node) => {
    if (typeof node.$ref !== 'string') return node;
    if (!node.$ref.startsWith('#/components/schemas/')) throw new Error(`unsupported $ref ${node.$ref}`);
    return { ...node, $ref: node.$ref.replace('#/components/schemas/', '#/$defs/') };
  }) as JsonObject;
  // Closed copy: Typebot's zod parse drops the fields it does not know, so an unknown key is a silent bug.
  const closed = mapTree(document, (node) =>
    node.type === 'object' && isObject(node.properties) && !('additionalProperties' in node) ? { ...node, additionalProperties: false } : node) as JsonObject;

  // Strict mode refuses unknown keywords and formats; declared instead: OpenAPI 3.1's annotation-only
  // vocabulary and the spec's `x-` extensions (x-native-type). strictTuples is off: it only warns that
  // `events` (prefixItems: [start event], then items) sets no minItems; the start event is checked below.
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTuples: false });
  addFormats.default(ajv); // ajv-formats is CommonJS: the plugin is the module's `default`
  const annotations = new Set(['discriminator', 'xml', 'externalDocs', 'example']);
  mapTree(document, (node) => { Object.keys(node).filter((k) => k.startsWith('x-')).forEach((k) => annotations.add(k)); return node; });
  annotations.forEach((keyword) => ajv.addKeyword({ keyword }));

  const v6 = (Array.isArray(document.anyOf) ? document.anyOf : []).findIndex((branch) => JSON.stringify(at(branch, ['properties', 'version', 'enum'])).includes('"6.1"'));
  if (v6 < 0) throw new Error('builder.json: the import schema has no version 6.1 branch');
  const blocksPath = ['anyOf', String(v6), 'properties', 'groups', 'items', 'properties', 'blocks', 'items'];
  const skeleton = structuredClone(closed);
  (at(skeleton, blocksPath.slice(0, -2)) as JsonObject).blocks = { type: 'array' };
  ajv.addSchema({ ...document, $id: FAITHFUL }).addSchema({ ...closed, $id: CLOSED }).addSchema({ ...skeleton, $id: `${CLOSED}:skeleton` });

  // Block type string -> pointer to its schema, following the nested anyOf/$ref lists.
  const blockTypes = new Map<string, string>();
  const collect = (path: string[]): void => {
    const node = at(document, path);
    if (!isObject(node)) return;
    if (typeof node.$ref === 'string') return collect(['$defs', node.$ref.slice('#/$defs/'.length)]);
    if (Array.isArray(node.anyOf)) return node.anyOf.forEach((_, i) => collect([...path, 'anyOf', String(i)]));
    const type = at(node, ['properties', 'type']);
    const names = isObject(type) ? (Array.isArray(type.enum) ? type.enum : [type.const]) : [];
    names.forEach((name) => { if (typeof name === 'string' && !blockTypes.has(name)) blockTypes.set(name, pointer(path)); });
  };
  collect(blocksPath);

  return {
    typebot: ajv.compile({ $ref: FAITHFUL }),
    closedSkeleton: ajv.compile({ $ref: `${CLOSED}:skeleton` }),
    closedBlock: (type) => {
      const path = blockTypes.get(type);
      if (path === undefined) throw new Error(`builder.json declares no block type "${type}"`);
      return ajv.compile({ $ref: `${CLOSED}${path}` });
    },
    // The spec's inline HTTP Request ("Webhook") component leaves webhook.*, the mapping items and
    // variablesForTest items as `{}` (a generator artefact). Typebot's Pabbly block is built from the
    // same httpBlockSchemas.v6, and the spec spells Pabbly's options out in full.
    closedHttpRequestOptions: ajv.compile({ $ref: `${CLOSED}${pointer(['$defs', 'Pabbly', 'properties', 'options'])}` }),
  };
}

/** ajv's errors, most telling first: under anyOf, "not this block type" errors from other branches are noise. */
export function describeErrors(errors: ErrorObject[] | null | undefined, limit = 12): string {
  const all = (errors ?? []).filter((e) => e.keyword !== 'anyOf');
  const telling = all.filter((e) => !e.instancePath.endsWith('/type') && !e.instancePath.endsWith('/version'));
  const lines = (telling.length > 0 ? telling : all).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
  return [...new Set(lines)].slice(0, limit).join('\n');
}

// ---- Graph checks the schema cannot make --------------------------------------------------------

const blocksOf = (flow: TypebotFlow) => flow.groups.flatMap((group) => group.blocks.map((block, index) => ({ group, block, index })));
/** Every string in a JSON value (ids and keys aside, values only). */
export const stringsIn = (node: unknown): string[] =>
  typeof node === 'string' ? [node] : Array.isArray(node) ? node.flatMap(stringsIn) : isObject(node) ? Object.values(node).flatMap(stringsIn) : [];
const variableIdsIn = (node: unknown): string[] =>
  Array.isArray(node) ? node.flatMap(variableIdsIn)
    : isObject(node) ? Object.entries(node).flatMap(([key, value]) => (/variableId$/i.test(key) && typeof value === 'string' ? [value] : variableIdsIn(value)))
      : [];
/** `{{Name}}` placeholders, as Typebot substitutes them in texts, URLs, bodies and expressions. */
export const placeholdersIn = (text: string): string[] => [...text.matchAll(/\{\{([^{}]+)\}\}/g)].map((match) => match[1] ?? '');

/** Everything wrong with the flow's wiring; empty when it holds together. */
export function integrityProblems(flow: TypebotFlow): string[] {
  const problems: string[] = [];
  const blocks = blocksOf(flow);
  const items = blocks.flatMap(({ block }) => (block.items ?? []).map((item) => ({ block, item })));
  const ids = [...flow.events, ...flow.groups, ...blocks.map(({ block }) => block), ...items.map(({ item }) => item), ...flow.edges, ...flow.variables].map((x) => x.id);
  const names = flow.variables.map((v) => v.name);
  for (const [kind, list] of [['id', ids], ['variable name', names]] as const) {
    new Set(list.filter((x, i) => list.indexOf(x) !== i)).forEach((x) => problems.push(`${kind} ${x} is used more than once`));
  }
  if (flow.events[0]?.type !== 'start') problems.push('the first event is not the start event');

  const edges = new Map(flow.edges.map((edge) => [edge.id, edge]));
  const claimed = new Set<string>();
  const leaves = (edgeId: string | undefined, from: TypebotEdge['from'], label: string) => {
    if (edgeId === undefined) return;
    const edge = edges.get(edgeId);
    if (edge === undefined) return problems.push(`${label} points to edge ${edgeId}, which does not exist`);
    if (edge.from.eventId === from.eventId && edge.from.blockId === from.blockId && edge.from.itemId === from.itemId) claimed.add(edgeId);
    else problems.push(`${label} points to edge ${edgeId}, whose "from" is ${JSON.stringify(edge.from)}`);
  };
  flow.events.forEach((event) => leaves(event.outgoingEdgeId, { eventId: event.id }, `event ${event.id}`));
  for (const { group, block, index } of blocks) {
    leaves(block.outgoingEdgeId, { blockId: block.id }, `block ${block.id}`);
    // The editor draws a block's own exit only on a group's last block; elsewhere it is a hidden jump.
    if (block.outgoingEdgeId !== undefined && index !== group.blocks.length - 1) problems.push(`block ${block.id} has an exit but is not the last block of ${group.id}`);
    (block.items ?? []).forEach((item) => leaves(item.outgoingEdgeId, { blockId: block.id, itemId: item.id }, `item ${item.id} of block ${block.id}`));
  }
  for (const edge of flow.edges) {
    if (!claimed.has(edge.id)) problems.push(`edge ${edge.id} is not the outgoingEdgeId of the event, block or item it starts from`);
    const target = flow.groups.find((group) => group.id === edge.to.groupId);
    if (target === undefined) problems.push(`edge ${edge.id} goes to group ${edge.to.groupId}, which does not exist`);
    else if (edge.to.blockId !== undefined && !target.blocks.some((b) => b.id === edge.to.blockId)) problems.push(`edge ${edge.id} goes to block ${edge.to.blockId}, which is not in ${target.id}`);
  }
  const variableIds = new Set(flow.variables.map((v) => v.id));
  new Set(variableIdsIn([flow.events, flow.groups]).filter((id) => !variableIds.has(id))).forEach((id) => problems.push(`variable id ${id} is not declared`));
  new Set(stringsIn([flow.events, flow.groups]).flatMap(placeholdersIn).filter((name) => !names.includes(name))).forEach((name) => problems.push(`{{${name}}} names no declared variable`));
  return problems;
}

/** Blocks reachable from the start event, and the groups where a conversation can run out of blocks. */
export function reachability(flow: TypebotFlow): { blocks: Set<string>; endsIn: Set<string> } {
  const blocks = new Set<string>();
  const endsIn = new Set<string>();
  const seen = new Set<string>();
  const queue = flow.events.filter((e) => e.type === 'start').map((e) => e.outgoingEdgeId);
  while (queue.length > 0) {
    const edgeId = queue.shift();
    const edge = flow.edges.find((e) => e.id === edgeId);
    if (edge === undefined || seen.has(edge.id)) continue;
    seen.add(edge.id);
    const group = flow.groups.find((g) => g.id === edge.to.groupId);
    if (group === undefined) continue;
    let index = Math.max(0, group.blocks.findIndex((b) => b.id === edge.to.blockId));
    for (; index < group.blocks.length; index++) {
      const block = group.blocks[index] as TypebotBlock;
      blocks.add(block.id);
      queue.push(...(block.items ?? []).map((item) => item.outgoingEdgeId));
      const allItemsLeave = block.type === 'choice input' && (block.items ?? []).every((item) => item.outgoingEdgeId !== undefined);
      if (block.outgoingEdgeId !== undefined) queue.push(block.outgoingEdgeId);
      if (block.outgoingEdgeId !== undefined || allItemsLeave) break;
    }
    if (index === group.blocks.length) endsIn.add(group.id);
  }
  return { blocks, endsIn };
}

/** A text bubble's paragraphs as plain text. */
export const plainText = (nodes: RichText[] = []): string[] => nodes.map(function text(node: RichText): string { return node.text ?? (node.children ?? []).map(text).join(''); });

const flowFile = new URL('../../docs/typebot-flows/cadastro-motorista.json', import.meta.url);

/**
 * The registration flow as exported, with its operator settings (the intake URL, a quoted string in
 * the `UrlRegisto` Set variable block, the answer check's and the correction's beside it in `UrlValidacao` and `UrlCorrecao`, and the intake
 * secret in `TokenRegisto`) changed the way an operator edits them after import.
 */
export async function registrationFlow(intakeUrl?: string, intakeSecret?: string): Promise<TypebotFlow> {
  const flow = JSON.parse(await readFile(flowFile, 'utf8')) as TypebotFlow;
  const setting = (id: string, value: string | undefined) => {
    if (value === undefined) return;
    const block = flow.groups.flatMap((group) => group.blocks).find((candidate) => candidate.id === id);
    if (block?.options === undefined) throw new Error(`The flow has no Set variable block ${id} to set`);
    block.options.expressionToEvaluate = JSON.stringify(value);
  };
  setting('b_url_registo', intakeUrl);
  // The answer check lives beside the intake: /drivers/validate-typebot/.
  setting('b_url_validacao', intakeUrl?.replace(/register-typebot\/?$/, 'validate-typebot/'));
  // And the correction's opening: /drivers/correction-typebot/.
  setting('b_url_correcao', intakeUrl?.replace(/register-typebot\/?$/, 'correction-typebot/'));
  setting('b_token_registo', intakeSecret);
  return flow;
}
