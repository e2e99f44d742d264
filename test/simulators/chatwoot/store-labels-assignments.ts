/**
 * Labels and assignment as Chatwoot's Conversation model does them (CONTRACTS.md §1.4, §1.7).
 * Labels are acts-as-taggable-on's `label_list`: the whole list replaced, commas split, blanks
 * and case-insensitive duplicates dropped, order kept, mirrored in the `cached_label_list`
 * column. Only a real change of `label_list` or `assignee_id` fires conversation_updated, whose
 * changed_attributes are the save's previous_changes in column order (updated_at included).
 * Each change leaves an activity line, as the model's callbacks do.
 */
import type { StoreContext } from './store-contacts.ts';
import { insertActivity, touch } from './store-conversations.ts';
import type { ConversationRecord, UserRecord } from './state.ts';
import { conversationEvent } from './webhook-format.ts';

/** ActsAsTaggableOn's default parser and TagList#clean! (quoted labels are not simulated). */
export function parseLabels(labels: readonly string[]): string[] {
  const parsed: string[] = [];
  for (const part of labels.join(', ').split(',')) {
    const label = part.trim();
    if (label !== '' && !parsed.some((kept) => kept.toLowerCase() === label.toLowerCase())) parsed.push(label);
  }
  return parsed;
}

/** `params.permit(labels: [])`: anything but an array of scalars is dropped, and no labels clears them all. */
export function labelsParam(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const items = value as unknown[];
  const scalar = (item: unknown) => item === null || ['string', 'number', 'boolean'].includes(typeof item);
  if (!items.every(scalar)) return [];
  return parseLabels(items.map((item) => (item === null ? '' : String(item as string | number | boolean))));
}

/** Labelable#update_labels; `actor` is the user named in the activity lines. */
export function setLabels(ctx: StoreContext, conversation: ConversationRecord, labels: readonly string[], actor: UserRecord): void {
  const previous = conversation.labels;
  const next = parseLabels(labels);
  const sorted = (list: readonly string[]) => JSON.stringify([...list].sort());
  const listChanged = sorted(previous) !== sorted(next);
  const previousCache = conversation.cachedLabelList;
  const cache = next.join(', ');
  if (!listChanged && cache === previousCache) return;
  conversation.labels = next;
  conversation.cachedLabelList = cache;
  const touched = touch(conversation);
  // Only the order changed: the row is saved, but label_list is not among the changes.
  if (!listChanged) return;
  ctx.emit(
    conversationEvent(ctx.state, 'conversation_updated', conversation, [
      touched,
      { cached_label_list: { previous_value: previousCache, current_value: cache } },
      { label_list: { previous_value: previous, current_value: next } },
    ]),
  );
  const added = next.filter((label) => !previous.includes(label));
  const removed = previous.filter((label) => !next.includes(label));
  if (added.length > 0) insertActivity(ctx, conversation, `${actor.name} added ${added.join(', ')}`);
  if (removed.length > 0) insertActivity(ctx, conversation, `${actor.name} removed ${removed.join(', ')}`);
}

/** Conversations::AssignmentService for a user, or nobody (null); `actor` is who did it. */
export function assignConversation(ctx: StoreContext, conversation: ConversationRecord, assignee: UserRecord | null, actor: UserRecord): void {
  const previous = conversation.assigneeId;
  const next = assignee?.id ?? null;
  if (previous === next) return;
  conversation.assigneeId = next;
  const touched = touch(conversation);
  ctx.emit(
    conversationEvent(ctx.state, 'conversation_updated', conversation, [
      { assignee_id: { previous_value: previous, current_value: next } },
      touched,
    ]),
  );
  const line =
    assignee === null ? `Conversation unassigned by ${actor.name}`
    : assignee.id === actor.id ? `${actor.name} self-assigned this conversation`
    : `Assigned to ${assignee.name} by ${actor.name}`;
  insertActivity(ctx, conversation, line);
}
