import { proxyActivities } from '@temporalio/workflow';
import type { BridgeActivities } from '../activities/bridge/index.ts';
import type { SessionState } from '../domain/whatsapp-session.ts';

const health = proxyActivities<Pick<BridgeActivities, 'checkWhatsAppSession'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
});

/**
 * One look at the WhatsApp session (activities/bridge/session-health.ts), started by the health
 * Schedule every WHATSAPP_HEALTH_EVERY and triggered at once by WPPConnect's session webhooks.
 */
export async function whatsappSessionHealth(): Promise<SessionState> {
  return (await health.checkWhatsAppSession()).state;
}
