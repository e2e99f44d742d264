import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes, so operators can list registrations by status and
 * find one by id in the Temporal Web UI. The dev-server script registers every
 * key in `customSearchAttributes` on start.
 */
export const RegistrationIdAttribute = defineSearchAttributeKey('RegistrationId', SearchAttributeType.KEYWORD);
export const RegistrationStatusAttribute = defineSearchAttributeKey('RegistrationStatus', SearchAttributeType.KEYWORD);

/**
 * Set on a chat's workflow while its queue is full (BRIDGE_QUEUE_MAX events unrelayed), cleared
 * once it has drained to half: the API lists these chats and answers their webhooks 503.
 */
export const ChatQueueFullAttribute = defineSearchAttributeKey('ChatQueueFull', SearchAttributeType.BOOL);

export const customSearchAttributes = [RegistrationIdAttribute, RegistrationStatusAttribute, ChatQueueFullAttribute] as const;
