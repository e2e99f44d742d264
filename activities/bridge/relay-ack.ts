import type { DeliveryAck } from '../../domain/chat.ts';
import { deliveryOfMessage, markAgentMessageFailed } from '../../platform/stores/deliveries.ts';
import type { BridgeDependencies } from './dependencies.ts';

/** WPPConnect ack levels → Chatwoot message status (sent, delivered, read; negative = failed). */
function statusOf(ack: number): 'sent' | 'delivered' | 'read' | 'failed' | null {
  if (ack < 0) return 'failed';
  if (ack === 1) return 'sent';
  if (ack === 2) return 'delivered';
  if (ack >= 3) return 'read';
  return null;
}

/**
 * Reflects a delivery receipt of an agent's relayed reply onto its Chatwoot message. Receipts only
 * come for the company's own messages, so the first receipt of one the system never sent (an
 * agent's reply, the bot, a registration notice) was typed on the company phone: 'company-phone'.
 */
export async function relayAck(deps: Pick<BridgeDependencies, 'db' | 'personal' | 'chatwoot'>, ack: DeliveryAck): Promise<'relayed' | 'company-phone' | 'ignored'> {
  const status = statusOf(ack.ack);
  if (status === null) return 'ignored';
  const sent = await deliveryOfMessage(deps.db, deps.personal, ack.whatsappId);
  if (sent === null) return ack.ack === 1 ? 'company-phone' : 'ignored';
  // Only an agent's reply has a Chatwoot message whose status follows WhatsApp's.
  const reply = sent.origin === 'agent' ? sent.chatwoot : null;
  if (reply === null || reply.conversationId === null) return 'ignored';
  // Recorded before Chatwoot is told, so the retry Chatwoot then offers finds it not sent.
  if (status === 'failed') await markAgentMessageFailed(deps.db, deps.personal, ack.whatsappId);
  await deps.chatwoot.setMessageStatus(reply.conversationId, reply.messageId, status, status === 'failed' ? `WhatsApp ack ${ack.ack}` : undefined);
  return 'relayed';
}
