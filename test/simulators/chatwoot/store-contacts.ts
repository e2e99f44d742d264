/**
 * Contacts and contact-inboxes as Chatwoot's models and ContactInboxBuilder treat them
 * (CONTRACTS.md §1.2, §1.3): E.164 phone; phone, identifier and email unique per account;
 * the builder idempotent for the same contact + inbox + source_id, and an API inbox's
 * source_id already held by another contact a database uniqueness error (a 500).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { RecordInvalid, RecordNotFound, RecordNotUnique } from './rails-errors.ts';
import type { ContactInboxRecord, ContactRecord, ConversationRecord, MessageRecord, SimulatorState } from './state.ts';

export interface StoreContext {
  state: SimulatorState;
  /** Hands an event payload to the webhook dispatcher. */
  emit(payload: Record<string, unknown>): void;
  /** Told of each message the moment it is created (see ChatwootSimulatorOptions). */
  onMessageCreated?: ((message: MessageRecord) => void) | undefined;
}

export interface NewContact {
  name?: unknown;
  phone_number?: unknown;
  identifier?: unknown;
  email?: unknown;
  custom_attributes?: unknown;
  additional_attributes?: unknown;
}

const E164 = /^\+[1-9]\d{1,14}$/;

const blankToNull = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);
const objectOr = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** Current.account.inboxes.find(id): this account has one inbox. */
export function requireInbox(state: SimulatorState, inboxId: unknown): void {
  if (Number(inboxId) !== state.inbox.id) throw new RecordNotFound();
}

export function requireContact(state: SimulatorState, id: unknown): ContactRecord {
  const contact = state.contacts.find((candidate) => String(candidate.id) === String(id));
  if (contact === undefined) throw new RecordNotFound();
  return contact;
}

export function requireConversation(state: SimulatorState, displayId: unknown): ConversationRecord {
  const conversation = state.conversations.find((candidate) => String(candidate.id) === String(displayId));
  if (conversation === undefined) throw new RecordNotFound();
  return conversation;
}

/** Contact validations, in the model's order: email, identifier, phone_number. */
export function validateContact(state: SimulatorState, input: NewContact): Omit<ContactRecord, 'id' | 'createdAt' | 'lastActivityAt'> {
  const contact = {
    name: typeof input.name === 'string' ? input.name.trim() : '',
    phoneNumber: blankToNull(input.phone_number),
    identifier: blankToNull(input.identifier),
    email: blankToNull(input.email)?.trim().toLowerCase() ?? null,
    customAttributes: objectOr(input.custom_attributes),
    additionalAttributes: objectOr(input.additional_attributes),
  };
  const messages: string[] = [];
  const attributes = new Set<string>();
  const refuse = (attribute: string, message: string) => {
    messages.push(message);
    attributes.add(attribute);
  };
  const taken = (field: 'email' | 'identifier' | 'phoneNumber', value: string | null) =>
    value !== null && state.contacts.some((other) => other[field] === value);
  if (taken('email', contact.email)) refuse('email', 'Email has already been taken');
  if (taken('identifier', contact.identifier)) refuse('identifier', 'Identifier has already been taken');
  if (taken('phoneNumber', contact.phoneNumber)) refuse('phone_number', 'Phone number has already been taken');
  if (contact.phoneNumber !== null && !E164.test(contact.phoneNumber)) refuse('phone_number', 'Phone number should be in e164 format');
  if (messages.length > 0) throw new RecordInvalid(messages, [...attributes]);
  return contact;
}

/**
 * ContactsController#update: the fields sent replace the contact's (name trimmed), custom_attributes
 * and additional_attributes are merged into the existing ones (keys not sent are kept).
 */
export function updateContact(contact: ContactRecord, input: NewContact): void {
  if (typeof input.name === 'string') contact.name = input.name.trim();
  contact.customAttributes = { ...contact.customAttributes, ...objectOr(input.custom_attributes) };
  contact.additionalAttributes = { ...contact.additionalAttributes, ...objectOr(input.additional_attributes) };
}

export function insertContact(state: SimulatorState, contact: Omit<ContactRecord, 'id' | 'createdAt' | 'lastActivityAt'>): ContactRecord {
  const record: ContactRecord = { ...contact, id: state.nextId.contact++, createdAt: new Date(), lastActivityAt: null };
  state.contacts.push(record);
  return record;
}

/** ContactInboxBuilder for an API inbox: a random UUID when no source_id is given. */
export function buildContactInbox(state: SimulatorState, contact: ContactRecord, sourceId: unknown): ContactInboxRecord {
  const wanted = blankToNull(typeof sourceId === 'number' ? String(sourceId) : sourceId) ?? randomUUID();
  const existing = state.contactInboxes.find((link) => link.inboxId === state.inbox.id && link.sourceId === wanted);
  if (existing !== undefined && existing.contactId === contact.id) return existing;
  if (existing !== undefined) throw new RecordNotUnique(`source_id ${wanted} belongs to another contact`);
  const record: ContactInboxRecord = {
    id: state.nextId.contactInbox++,
    contactId: contact.id,
    inboxId: state.inbox.id,
    sourceId: wanted,
    pubsubToken: randomBytes(12).toString('base64url'),
    createdAt: new Date(),
  };
  state.contactInboxes.push(record);
  return record;
}
