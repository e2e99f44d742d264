import type { DeliveryAck } from '../../domain/bridge-events.ts';
import type { BridgeDependencies } from './index.ts';
import { outboundByWhatsappId } from './relay-claims.ts';

/** WPPConnect ack levels → Chatwoot message status (sent, delivered, read; negative = failed). */
function statusOf(ack: number): 'sent' | 'delivered' | 'read' | 'failed' | null {
  if (ack < 0) return 'failed';
  if (ack === 1) return 'sent';
  if (ack === 2) return 'delivered';
  if (ack >= 3) return 'read';
  return null;
}

/** Reflects a delivery receipt of a message the bridge sent onto its Chatwoot message. */
export async function relayAck(deps: Pick<BridgeDependencies, 'db' | 'chatwoot'>, chatId: string, ack: DeliveryAck): Promise<void> {
  const status = statusOf(ack.ack);
  if (status === null) return;
  const origin = await outboundByWhatsappId(deps.db, chatId, ack.whatsappId);
  if (origin === null) return; // not one of ours (a message sent from the phone itself, or an inbound one)
  await deps.chatwoot.setMessageStatus(origin.conversationId, origin.chatwootMessageId, status, status === 'failed' ? `WhatsApp ack ${ack.ack}` : undefined);
}
