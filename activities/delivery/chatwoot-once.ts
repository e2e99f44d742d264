import type { ChatwootClient, ChatwootMessage, NewChatwootMessage } from '../../integrations/chatwoot/client.ts';

/**
 * Posts into a Chatwoot conversation at most once per `source_id` (Chatwoot has no idempotency
 * key): when an earlier attempt may have posted it, the conversation's recent messages are looked
 * through for that source id first, and the message is only built (files downloaded…) when it
 * really has to be posted.
 */
export async function postToConversationOnce(
  chatwoot: Pick<ChatwootClient, 'messages' | 'createMessage'>,
  conversationId: number,
  sourceId: string,
  build: () => NewChatwootMessage | Promise<NewChatwootMessage>,
  options: { lookFirst: boolean },
): Promise<ChatwootMessage> {
  if (options.lookFirst) {
    const earlier = (await chatwoot.messages(conversationId)).find((posted) => posted.sourceId === sourceId);
    if (earlier !== undefined) return earlier;
  }
  return chatwoot.createMessage(conversationId, { ...(await build()), sourceId });
}
