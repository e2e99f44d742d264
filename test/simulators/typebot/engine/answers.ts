/**
 * Saving a valid answer (bot-engine saveAnswerInDb): the input's variable takes the
 * formatted reply (appended when it already holds a list), and the answer is kept under the
 * variable's name, or under the group title ("Title (2)" for the group's second input).
 */
import type { FlowBlock, FlowGroup } from '../flow-types.ts';
import { inputTypes } from '../flow-types.ts';
import type { Session } from '../state.ts';

function answerKey(session: Session, block: FlowBlock, group: FlowGroup): string {
  const variableId = block.options?.variableId;
  if (variableId !== undefined) return session.variables.find((candidate) => candidate.id === variableId)?.name ?? block.id;
  const position = group.blocks.filter((candidate) => inputTypes.has(candidate.type)).findIndex((candidate) => candidate.id === block.id);
  return position > 0 ? `${group.title} (${position})` : group.title;
}

export function saveAnswer(session: Session, block: FlowBlock, group: FlowGroup, value: string, isText: boolean): void {
  const variable = session.variables.find((candidate) => candidate.id === block.options?.variableId);
  if (isText && variable !== undefined) variable.value = Array.isArray(variable.value) ? [...variable.value, value] : value;
  const key = answerKey(session, block, group);
  session.answers = session.answers.filter((answer) => answer.key !== key).concat({ key, value, blockId: block.id });
}
