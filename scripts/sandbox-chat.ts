/**
 * A conversation through the bridge sandbox (with `npm start` running both simulators): a driver
 * writes on WhatsApp, the message reaches the Chatwoot inbox, an agent replies, and the reply
 * reaches the driver's phone. Prints each step. Env: SANDBOX_URL (default http://127.0.0.1:8090).
 *   npm run sandbox:chat
 */
import { newDriverPhone } from '../test/support/bridge-views.ts';
import { eventually } from '../test/support/eventually.ts';
import type { InboxConversationView, WhatsAppMessageView } from './sandbox-console.ts';

const sandboxUrl = process.env.SANDBOX_URL ?? 'http://127.0.0.1:8090';
// A new driver every run (see sandboxConsoleHelp).
const phone = `+${newDriverPhone()}`;

async function call<T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
  const response = await fetch(`${sandboxUrl}${route}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** Polls `check` for up to 20 s. */
const waitFor = <T>(what: string, check: () => Promise<T | undefined>): Promise<T> =>
  eventually(check, 20_000, `${what} (is the worker running? See the npm start output)`);

const driverText = 'Olá, o cliente não está em casa. Deixo a encomenda no vizinho?';
console.log(`1. The driver ${phone} writes on WhatsApp: "${driverText}"`);
await call('POST', '/driver-says', { phone, text: driverText, name: 'Rui (sandbox)' });

const conversation = await waitFor('the message in Chatwoot', async () => {
  const { conversations } = await call<{ conversations: InboxConversationView[] }>('GET', '/chatwoot');
  const mine = conversations.find((candidate) => candidate.contact?.phone === phone);
  return mine?.messages.some((message) => message.text === driverText) ? mine : undefined;
});
console.log(`2. The bridge put it in Chatwoot conversation ${conversation.id} (contact "${conversation.contact?.name}")`);

const agentText = 'Sim, pode deixar no vizinho e tire uma foto, por favor.';
console.log(`3. An agent replies in conversation ${conversation.id}: "${agentText}"`);
await call('POST', '/agent-says', { conversationId: conversation.id, text: agentText });

const received = await waitFor('the reply on WhatsApp', async () => {
  const { received: messages } = await call<{ received: WhatsAppMessageView[] }>('GET', `/whatsapp/${phone}`);
  return messages.find((message) => message.text === agentText);
});
console.log(`4. The driver's WhatsApp received it (message ${received.id})`);
console.log(`\nSee it all: curl ${sandboxUrl}/chatwoot   and   curl ${sandboxUrl}/whatsapp/${phone}`);
