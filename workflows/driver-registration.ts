import {
  ApplicationFailure, ActivityFailure, condition, defineQuery, defineSignal, defineUpdate, log, patched, proxyActivities,
  setHandler, upsertSearchAttributes,
} from '@temporalio/workflow';
import type { RegistrationActivities } from '../activities/registration/index.ts';
import { ErrorType } from '../domain/errors.ts';
import type { ConversationStage, CorrectableItem, Decision, RegistrationStatus } from '../domain/registration.ts';
import { RegistrationStatusAttribute } from './search-attributes.ts';

/**
 * One driver registration, from the stored submission to the driver hearing the outcome:
 * prepare the documents → wait for a reviewer (reminding them while they wait) → tell the
 * driver → on a correction request, wait for the corrected submission and go round again.
 *
 * Only ids and decisions pass through here: driver data and document bytes stay in
 * PostgreSQL and document storage.
 */
export interface DriverRegistrationInput {
  registrationId: string;
  /** First reviewer reminder after this long without a decision (production: 48 hours). */
  reminderAfterMs: number;
  /** Further reminders at this interval (production: 24 hours). */
  reminderEveryMs: number;
  /** The registration came from the bot in a WhatsApp chat: its Chatwoot conversation is kept informed. */
  linkedToChat?: boolean;
}

export interface DecisionResult {
  registrationId: string;
  status: RegistrationStatus;
}

export interface RegistrationState {
  status: RegistrationStatus;
  remindersSent: number;
  round: number;
  driverNotified: boolean | null;
}

export const approveUpdate = defineUpdate<DecisionResult, [{ reviewer: string }]>('approve');
export const rejectUpdate = defineUpdate<DecisionResult, [{ reviewer: string; reason: string }]>('reject');
export const requestCorrectionUpdate = defineUpdate<DecisionResult, [{ reviewer: string; items: CorrectableItem[]; message: string }]>(
  'requestCorrection',
);
/** The API stored a corrected submission (fields and documents) for this registration. */
export const correctionSubmittedSignal = defineSignal('correctionSubmitted');
export const stateQuery = defineQuery<RegistrationState>('state');

/** Patch id: a correction request for a registration from a chat is asked for in that chat, by the bot. */
const correctionInChat = 'registration-correction-in-chat';

const documents = proxyActivities<RegistrationActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: [ErrorType.DocumentUnreadable] },
});
const records = proxyActivities<RegistrationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});
// WhatsApp may be unreachable for hours; keep trying, with a long ceiling between attempts.
const messaging = proxyActivities<RegistrationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes', nonRetryableErrorTypes: [ErrorType.WhatsAppRecipientUnknown] },
});

// Agents' notes are a courtesy: a long Chatwoot outage must not hold the registration back.
const inbox = proxyActivities<RegistrationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 8 },
});

/** The registration's chat, when it came from the bot: a note and the status label in its conversation. */
async function tellConversation(registrationId: string, round: number, stage: ConversationStage, decision: Decision | null) {
  try {
    await inbox.tellConversation({ registrationId, round, stage, decision });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.warn('The conversation could not be told about the registration', { registrationId, stage, error: error.cause?.message ?? error.message });
  }
}

export async function driverRegistration(input: DriverRegistrationInput): Promise<RegistrationState> {
  const { registrationId } = input;
  const state: RegistrationState = { status: 'received', remindersSent: 0, round: 0, driverNotified: null };
  let decision: Decision | undefined;
  let deciding = false;
  let correctionsSubmitted = 0;

  const moveTo = (status: RegistrationStatus) => {
    state.status = status;
    upsertSearchAttributes([{ key: RegistrationStatusAttribute, value: status }]);
  };

  // 'received' is accepted: the database shows a registration as pending as soon as its documents are
  // stored, and the decision may reach the workflow before that activity's result does.
  const refuseUnlessDecidable = () => {
    if (deciding) throw ApplicationFailure.nonRetryable('Another decision is being recorded', ErrorType.InvalidDecision);
    if (state.status !== 'pending_approval' && state.status !== 'received') {
      throw ApplicationFailure.nonRetryable(`The registration is ${state.status}, not awaiting a decision`, ErrorType.InvalidDecision);
    }
  };

  const decide = async (next: Decision): Promise<DecisionResult> => {
    deciding = true;
    try {
      await condition(() => state.status === 'pending_approval');
      await records.recordDecision({ registrationId, decision: next });
    } finally {
      deciding = false;
    }
    decision = next;
    moveTo(next.kind);
    return { registrationId, status: next.kind };
  };

  setHandler(stateQuery, () => state);
  setHandler(approveUpdate, ({ reviewer }) => decide({ kind: 'approved', reviewer }), {
    validator: (_input: { reviewer: string }) => refuseUnlessDecidable(),
  });
  setHandler(rejectUpdate, ({ reviewer, reason }) => decide({ kind: 'rejected', reviewer, reason: reason.trim() }), {
    validator: ({ reason }) => {
      refuseUnlessDecidable();
      if (typeof reason !== 'string' || reason.trim() === '') {
        throw ApplicationFailure.nonRetryable('A reason is required to reject a registration', ErrorType.InvalidDecision);
      }
    },
  });
  setHandler(requestCorrectionUpdate, ({ reviewer, items, message }) => decide({ kind: 'correction_requested', reviewer, items, message }), {
    validator: ({ items }) => {
      refuseUnlessDecidable();
      if (!Array.isArray(items) || items.length === 0) {
        throw ApplicationFailure.nonRetryable('Name at least one document or field to correct', ErrorType.InvalidDecision);
      }
    },
  });
  setHandler(correctionSubmittedSignal, () => {
    correctionsSubmitted += 1;
  });

  // Told alongside, never in the way of the decision and the driver's message, but in order: a
  // pending note still retrying must not land after the decision and put its label back.
  let notes = Promise.resolve();
  const tellChat = (stage: ConversationStage, outcome: Decision | null) => {
    const round = state.round;
    if (input.linkedToChat === true) notes = notes.then(() => tellConversation(registrationId, round, stage, outcome));
  };

  for (;;) {
    state.round += 1;
    await documents.prepareDocuments({ registrationId });
    moveTo('pending_approval');
    tellChat('pending_approval', null);

    const outcome = await waitForDecision(() => decision, input, async (reminder) => {
      state.remindersSent += 1;
      await messaging.remindReviewers({ registrationId, reminder });
    });
    state.driverNotified = await tellDriver(registrationId, outcome, state.round);
    tellChat(outcome.kind, outcome);
    if (outcome.kind !== 'correction_requested') {
      await notes;
      return state;
    }

    const awaited = correctionsSubmitted;
    if (input.linkedToChat === true && state.driverNotified && patched(correctionInChat)) await askInChat(registrationId, state.round);
    await condition(() => correctionsSubmitted > awaited);
    decision = undefined;
    moveTo('received');
  }
}

async function waitForDecision(
  current: () => Decision | undefined,
  timing: DriverRegistrationInput,
  remind: (reminder: number) => Promise<void>,
): Promise<Decision> {
  let wait = timing.reminderAfterMs;
  for (let reminder = 1; !(await condition(() => current() !== undefined, wait)); reminder += 1) {
    await remind(reminder);
    wait = timing.reminderEveryMs;
  }
  return current()!;
}

/**
 * After the correction request reached the driver, the bot asks for the items in the chat. A
 * failure leaves the driver with the request's own words (how to correct), never the registration stuck.
 */
async function askInChat(registrationId: string, round: number): Promise<void> {
  try {
    await messaging.askCorrectionInChat({ registrationId, round });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    log.warn('The correction could not be asked in the chat', { registrationId, error: error.cause?.message ?? error.message });
  }
}

/** Sends the decision on WhatsApp; a number WhatsApp does not know is logged, not retried forever. */
async function tellDriver(registrationId: string, decision: Decision, round: number): Promise<boolean> {
  try {
    await messaging.notifyDriver({ registrationId, decision, round });
    return true;
  } catch (error) {
    if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === ErrorType.WhatsAppRecipientUnknown) {
      log.warn('Driver could not be told on WhatsApp: unknown number', { registrationId });
      return false;
    }
    throw error;
  }
}
