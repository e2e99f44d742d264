/**
 * Checks an exported flow before the simulator runs it: the shape Typebot's import
 * requires (start event first, groups, edges, variables), edges that point somewhere,
 * and only blocks this simulator knows how to run. A flow it cannot run faithfully is
 * refused at start-up with the list of problems, never half-run.
 */
import { literalValue } from './engine/set-variable.ts';
import { supportedBodyPath } from './http-request/response-mapping.ts';
import type { FlowBlock, TypebotFlow } from './flow-types.ts';
import { BlockType, bubbleTypes, inputTypes, logicTypes } from './flow-types.ts';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const hasId = (value: unknown): value is { id: string } => isRecord(value) && typeof value.id === 'string';

/** Set variable types the simulator evaluates (Typebot has more: dates, transcripts, code...). */
const setVariableTypes = new Set([undefined, 'Custom', 'Empty', 'Result ID', 'Random ID']);

function blockProblems(block: FlowBlock, where: string): string[] {
  const problems: string[] = [];
  if (!bubbleTypes.has(block.type) && !inputTypes.has(block.type) && !logicTypes.has(block.type)) {
    problems.push(`${where}: block type "${block.type}" is not simulated`);
  }
  if (block.type === BlockType.setVariable && !setVariableTypes.has(block.options?.type)) {
    problems.push(`${where}: Set variable type "${String(block.options?.type)}" is not simulated`);
  }
  const expression = block.options?.expressionToEvaluate;
  if (block.type === BlockType.setVariable && block.options?.isCode === true && literalValue(expression) === undefined && !/^\s*\{\{[^{}]+\}\}\s*$/.test(expression ?? '')) {
    problems.push(`${where}: Set variable code other than a literal is not simulated`);
  }
  if (block.type === BlockType.httpRequest) {
    if (block.options?.isExecutedOnClient === true) problems.push(`${where}: HTTP requests executed on the client are not simulated`);
    for (const mapping of block.options?.responseVariableMapping ?? []) {
      if (mapping.bodyPath !== undefined && mapping.bodyPath !== '' && !supportedBodyPath(mapping.bodyPath)) {
        problems.push(`${where}: response mapping "${mapping.bodyPath}" is not a path the simulator evaluates`);
      }
    }
  }
  if ((block.type === BlockType.choiceInput || block.type === BlockType.condition) && !Array.isArray(block.items)) {
    problems.push(`${where}: ${block.type} without items`);
  }
  return problems;
}

/** The flow, typed, or an Error listing everything wrong with it. */
export function loadFlow(json: unknown): TypebotFlow {
  const problems: string[] = [];
  if (!isRecord(json)) throw new Error('Typebot flow: expected the exported JSON object');
  if (json.version !== '6' && json.version !== '6.1') problems.push(`version must be "6" or "6.1", got ${JSON.stringify(json.version)}`);
  for (const field of ['events', 'groups', 'edges', 'variables'] as const) {
    if (!Array.isArray(json[field]) || !(json[field] as unknown[]).every(hasId)) problems.push(`${field} must be a list of objects with an id`);
  }
  if (problems.length > 0) throw new Error(`Typebot flow: ${problems.join('; ')}`);
  const flow = { theme: {}, settings: {}, name: '', ...json } as unknown as TypebotFlow;

  if (flow.events[0]?.type !== 'start') problems.push('the first event must be the start event');
  const groupIds = new Set(flow.groups.map((group) => group.id));
  const edgeIds = new Set(flow.edges.map((edge) => edge.id));
  for (const edge of flow.edges) {
    if (!groupIds.has(edge.to?.groupId)) problems.push(`edge ${edge.id} points to a missing group`);
  }
  for (const variable of flow.variables) if (typeof variable.name !== 'string') problems.push(`variable ${variable.id} has no name`);
  const outgoing: Array<[string, string | undefined]> = flow.events.map((event) => [`event ${event.id}`, event.outgoingEdgeId]);
  for (const group of flow.groups) {
    if (!Array.isArray(group.blocks) || !group.blocks.every(hasId)) {
      problems.push(`group ${group.id} must have a list of blocks with ids`);
      continue;
    }
    for (const block of group.blocks) {
      const where = `block ${block.id} in "${group.title}"`;
      problems.push(...blockProblems(block, where));
      outgoing.push([where, block.outgoingEdgeId], ...(block.items ?? []).map((item): [string, string | undefined] => [`${where} item ${item.id}`, item.outgoingEdgeId]));
      if (block.type === BlockType.jump && !groupIds.has(block.options?.groupId ?? '')) problems.push(`${where}: Jump to a missing group`);
    }
  }
  for (const [where, edgeId] of outgoing) {
    if (edgeId !== undefined && !edgeIds.has(edgeId)) problems.push(`${where}: outgoingEdgeId ${edgeId} is not an edge`);
  }
  if (problems.length > 0) throw new Error(`Typebot flow "${flow.name}": ${problems.join('; ')}`);
  return flow;
}
