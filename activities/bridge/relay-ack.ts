import type { DeliveryAck } from '../../domain/chat.ts';
import type { BridgeDependencies } from './dependencies.ts';
import { outboundByWhatsappId } from './relay-claims.ts';

/** WPPConnect ack levels → Chatwoot message status (sent, delivered, read; negative = failed). */
function statusOf(ack: number): 'sent' | 'delivered' | 'read' | 'failed' | null {
  if (ack < 0) return 'failed';
  if (ack === 1) return 'sent';
  if (ack === 2) return 'delivered';
  if (ack >= 3) return 'read';
  return null;
}

/**
 * Whether the system sent this WhatsApp message: an agent's relayed reply, the bot, or a
 * registration notice. Acks only come for the company's own messages, so one that none of these
 * sent was typed on the company phone itself.
 */
async function sentBySystem(db: BridgeDependencies['db'], whatsappId: string): Promise<boolean> {
  const found = await db.query(
    `SELECT 1 FROM bridge_messages WHERE direction = 'outbound' AND whatsapp_message_id = $1
     UNION ALL SELECT 1 FROM bot_messages WHERE whatsapp_message_id = $1
     UNION ALL SELECT 1 FROM outbound_messages WHERE whatsapp_message_id = $1
     LIMIT 1`,
    [whatsappId],
  );
  return found.rowCount !== 0;
}

/**
 * Reflects a delivery receipt of a message the bridge sent onto its Chatwoot message. Returns
 * 'company-phone' for the first receipt of a message someone typed on the company phone.
 */
export async function relayAck(deps: Pick<BridgeDependencies, 'db' | 'chatwoot'>, chatId: string, ack: DeliveryAck): Promise<'relayed' | 'company-phone' | 'ignored'> {
  const status = statusOf(ack.ack);
  if (status === null) return 'ignored';
  const origin = await outboundByWhatsappId(deps.db, chatId, ack.whatsappId);
  if (origin === null) {
    // Not an agent's reply: the bot's or a registration notice (nothing to mark), or typed on the phone.
    return ack.ack === 1 && !(await sentBySystem(deps.db, ack.whatsappId)) ? 'company-phone' : 'ignored';
  }
  await deps.chatwoot.setMessageStatus(origin.conversationId, origin.chatwootMessageId, status, status === 'failed' ? `WhatsApp ack ${ack.ack}` : undefined);
  return 'relayed';
}
