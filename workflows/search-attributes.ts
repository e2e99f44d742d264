import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes, so operators can list registrations by status and
 * find one by id in the Temporal Web UI. The dev-server script registers every
 * key in `customSearchAttributes` on start.
 */
export const RegistrationIdAttribute = defineSearchAttributeKey('RegistrationId', SearchAttributeType.KEYWORD);
export const RegistrationStatusAttribute = defineSearchAttributeKey('RegistrationStatus', SearchAttributeType.KEYWORD);

export const customSearchAttributes = [RegistrationIdAttribute, RegistrationStatusAttribute] as const;
