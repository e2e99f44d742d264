/**
 * Contacts and contact-inboxes (CONTRACTS.md §1.2, §1.3). A contact is found by exact
 * phone through `POST /contacts/filter` (never the fuzzy `/contacts/search`), and a create
 * that loses a race ("has already been taken") returns the contact that won it.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../domain/errors.ts';
import type { ChatwootClient, ChatwootContact } from './types.ts';
import { failureFromResponse, isAlreadyTaken } from './failures.ts';
import { contactCreated, contactInboxCreated, contactList, contactShown, toContact } from './schemas.ts';
import type { ChatwootTransport } from './transport.ts';

type ContactOperations = Pick<ChatwootClient, 'findContactByPhone' | 'findContactByIdentifier' | 'createContact' | 'ensureContactInbox' | 'deleteContact' | 'contact' | 'updateContact'>;

const E164 = /^\+[1-9]\d{1,14}$/;

export function contactOperations(transport: ChatwootTransport, inboxId: number): ContactOperations {
  async function findBy(attribute: 'phone_number' | 'identifier', value: string): Promise<ChatwootContact | null> {
    const filter = { payload: [{ attribute_key: attribute, filter_operator: 'equal_to', values: [value], query_operator: null }] };
    const { payload } = await transport.send('POST', 'contacts/filter', contactList, { json: filter });
    // Chatwoot compares case-insensitively; an identifier or phone must match exactly.
    const exact = payload.find((raw) => (attribute === 'phone_number' ? raw.phone_number : raw.identifier) === value);
    return exact === undefined ? null : toContact(exact, inboxId);
  }

  async function ensureContactInbox(contactId: number, sourceId: string): Promise<void> {
    assertSourceId(sourceId);
    await transport.send('POST', `contacts/${contactId}/contact_inboxes`, contactInboxCreated, {
      json: { inbox_id: inboxId, source_id: sourceId },
    });
  }

  return {
    async findContactByPhone(phoneE164) {
      assertE164(phoneE164);
      return findBy('phone_number', phoneE164);
    },

    async deleteContact(contactId) {
      const response = await transport.call('DELETE', `contacts/${contactId}`);
      if (response.status === 404) return false;
      if (response.status < 200 || response.status > 299) throw failureFromResponse(`DELETE contacts/${contactId}`, response);
      return true;
    },

    async findContactByIdentifier(identifier) {
      if (identifier.trim() === '') throw ApplicationFailure.nonRetryable('a contact identifier cannot be blank', ErrorType.ValidationFailed);
      return findBy('identifier', identifier);
    },

    async createContact({ name, phoneE164, identifier, sourceId, customAttributes }) {
      if (phoneE164 !== undefined) assertE164(phoneE164);
      assertSourceId(sourceId);
      const body = {
        inbox_id: inboxId, name, ...(phoneE164 === undefined ? {} : { phone_number: phoneE164 }), identifier, source_id: sourceId,
        ...(customAttributes === undefined ? {} : { custom_attributes: customAttributes }),
      };
      const response = await transport.call('POST', 'contacts', { json: body });
      if (!isAlreadyTaken(response)) {
        return toContact(transport.expect('POST contacts', response, contactCreated).payload.contact, inboxId);
      }
      // Another run (or a person in the UI) created it first: take theirs, linked to this inbox.
      const existing = (phoneE164 === undefined ? null : await findBy('phone_number', phoneE164)) ?? (await findBy('identifier', identifier));
      if (existing === null) throw failureFromResponse('POST contacts', response);
      if (!existing.sourceIds.includes(sourceId)) {
        await ensureContactInbox(existing.id, sourceId);
        existing.sourceIds.push(sourceId);
      }
      return existing;
    },

    ensureContactInbox,

    async contact(contactId) {
      const response = await transport.call('GET', `contacts/${contactId}`);
      if (response.status === 404) return null;
      return toContact(transport.expect(`GET contacts/${contactId}`, response, contactShown).payload, inboxId);
    },

    async updateContact(contactId, { name, customAttributes }) {
      const body = { ...(name === undefined ? {} : { name }), ...(customAttributes === undefined ? {} : { custom_attributes: customAttributes }) };
      return toContact((await transport.send('PUT', `contacts/${contactId}`, contactShown, { json: body })).payload, inboxId);
    },
  };
}

function assertE164(phone: string): void {
  if (!E164.test(phone)) {
    throw ApplicationFailure.nonRetryable(`"${phone}" is not an E.164 phone number (+ then 2 to 15 digits)`, ErrorType.ValidationFailed);
  }
}

function assertSourceId(sourceId: string): void {
  if (sourceId.trim() === '') throw ApplicationFailure.nonRetryable('a contact-inbox source_id cannot be blank', ErrorType.ValidationFailed);
}
