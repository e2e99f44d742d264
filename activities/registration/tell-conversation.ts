import { ApplicationFailure } from '@temporalio/common';
import { chatwootSourceId } from '../../domain/chat.ts';
import { ErrorType } from '../../domain/errors.ts';
import { agentNotes } from '../../domain/texts/agents.ts';
import type { ConversationStage, Decision } from '../../domain/registration.ts';
import { getRegistration } from '../../platform/stores/registrations.ts';
import type { RegistrationRow } from '../../platform/stores/registration-rows.ts';
import { postToConversationOnce } from '../delivery/chatwoot-once.ts';
import type { RegistrationDependencies } from './dependencies.ts';

/** The conversation's label for each stage; the other `cadastro-*` labels are taken off. */
export const registrationLabels: Record<ConversationStage, string> = {
  pending_approval: 'cadastro-pendente',
  correction_requested: 'cadastro-pendente',
  approved: 'cadastro-aprovado',
  rejected: 'cadastro-rejeitado',
};
const labelPrefix = 'cadastro-';

/** What agents read in the driver's conversation at each stage. */
function noteFor(registration: RegistrationRow, stage: ConversationStage, decision: Decision | null, link: string): string {
  const reviewer = decision?.reviewer ?? null;
  switch (stage) {
    case 'pending_approval':
      return agentNotes.registrationReceived(registration.fullName, link);
    case 'approved':
      return agentNotes.registrationApproved(reviewer, link);
    case 'rejected':
      return agentNotes.registrationRejected(reviewer, decision?.kind === 'rejected' ? decision.reason : null, link);
    case 'correction_requested':
      return agentNotes.correctionRequested(reviewer, decision?.kind === 'correction_requested' ? decision.items : null, link);
  }
}

/**
 * Keeps the Chatwoot conversation of a registration that came from the bot up to date: a private
 * note with the summary and the reviewers' link, then one per decision, and the `cadastro-*`
 * label of its status. A registration from elsewhere, or without Chatwoot, has nothing to tell.
 */
export function createTellConversation(deps: Pick<RegistrationDependencies, 'db' | 'personal' | 'chatwoot' | 'reviewBaseUrl'>) {
  return async function tellConversation(input: { registrationId: string; round: number; stage: ConversationStage; decision: Decision | null }): Promise<{ told: boolean }> {
    const registration = await getRegistration(deps.db, deps.personal, input.registrationId);
    if (registration === null) throw ApplicationFailure.nonRetryable(`Registration ${input.registrationId} not found`, ErrorType.RegistrationNotFound);
    const conversationId = registration.chat?.chatwootConversationId ?? null;
    if (deps.chatwoot === undefined || conversationId === null) return { told: false };
    const { chatwoot } = deps;

    const link = `${deps.reviewBaseUrl}/console/registrations/${input.registrationId}`;
    const sourceId = chatwootSourceId.registrationNote(input.registrationId, input.round, input.stage);
    await postToConversationOnce(chatwoot, conversationId, sourceId, () => ({
      messageType: 'outgoing', private: true, content: noteFor(registration, input.stage, input.decision, link),
    }), { lookFirst: true });

    const labels = await chatwoot.conversationLabels(conversationId);
    const wanted = [...labels.filter((label) => !label.startsWith(labelPrefix)), registrationLabels[input.stage]];
    if (wanted.length !== labels.length || wanted.some((label) => !labels.includes(label))) await chatwoot.setConversationLabels(conversationId, wanted);
    return { told: true };
  };
}
