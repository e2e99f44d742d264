/** Registration lifecycle shared by the API, the workflow and the database. */
import type { CorrectableItem } from './registration-items.ts';
import { decisionMessages } from './texts/registration.ts';

/** `erased`: the driver's data was erased on request; only a tombstone is left (README, "Personal data"). */
export const registrationStatuses = ['received', 'pending_approval', 'correction_requested', 'approved', 'rejected', 'erased'] as const;
export type RegistrationStatus = (typeof registrationStatuses)[number];

/** Statuses that hold the NIF: a new registration for it is refused (409). */
export const liveStatuses: readonly RegistrationStatus[] = ['received', 'pending_approval', 'correction_requested', 'approved'];

export { correctableItems, type CorrectableItem } from './registration-items.ts';

export type Decision =
  | { kind: 'approved'; reviewer: string }
  | { kind: 'rejected'; reviewer: string; reason: string }
  | { kind: 'correction_requested'; reviewer: string; items: CorrectableItem[]; message: string };

/**
 * The WhatsApp message that tells the driver the reviewer's decision (texts/registration.ts); a
 * correction request carries the driver's correction code when one was made.
 */
export function decisionMessage(
  fullName: string, decision: Decision, correctionCode?: { code: string; validDays: number }, how: { inChat?: boolean; formUrl?: string } = {},
): string {
  switch (decision.kind) {
    case 'approved':
      return decisionMessages.approved(fullName);
    case 'rejected':
      return decisionMessages.rejected(fullName, decision.reason);
    case 'correction_requested':
      return decisionMessages.correctionRequested(fullName, decision.items, decision.message, correctionCode, how);
  }
}

/** Where a registration stands, as its chat's Chatwoot conversation is told (a note and a label each). */
export type ConversationStage = 'pending_approval' | Decision['kind'];

export const workflowIdOf = (registrationId: string) => `driver-registration-${registrationId}`;

/** The business key of the WhatsApp message telling the driver a round's decision: sent once by it. */
export const decisionDeliveryKey = (registrationId: string, round: number, decision: Decision['kind']) => `registration:${registrationId}:round-${round}:${decision}`;

/** The registration a registration's workflow id names; undefined for another workflow. */
export const registrationIdOfWorkflowId = (workflowId: string): string | undefined =>
  /^driver-registration-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(workflowId)?.[1];
