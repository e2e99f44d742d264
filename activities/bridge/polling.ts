import type { WhatsAppMessage, WppConnectClient } from '../../integrations/wppconnect/client.ts';
import { ChatQueueFullError, type ChatEvent, type InboundMessage } from '../../domain/chat.ts';
import type { PersonalData } from '../../platform/crypto/personal-data.ts';
import type { Db } from '../../platform/db.ts';
import { relayedInbound } from '../../platform/stores/relays.ts';
import { isRelayable, toInboundEvent } from '../../integrations/wppconnect/chat-event.ts';

export interface PollingDependencies {
  db: Db;
  /** The keys the relay records are hashed with. */
  personal: PersonalData;
  wppconnect: WppConnectClient;
  /** Hands a chat's events to its workflow (the API's webhooks use the same). */
  handOff: (chatId: string, events: ChatEvent[]) => Promise<void>;
  includeGroups: boolean;
  /** BRIDGE_READ_RECEIPTS: with 'agent', polling never marks a chat read (the driver would see blue ticks before anyone read it). */
  readReceipts?: 'whatsapp' | 'agent';
}


/** Messages by chat, each chat's in WhatsApp's order; media without bytes (the relay downloads it). */
function byChat(messages: WhatsAppMessage[]): Map<string, InboundMessage[]> {
  const chats = new Map<string, InboundMessage[]>();
  for (const message of [...messages].sort((a, b) => a.timestamp - b.timestamp)) {
    const events = chats.get(message.chatId) ?? [];
    events.push(toInboundEvent(message, null));
    chats.set(message.chatId, events);
  }
  return chats;
}

/**
 * A chat's recent messages on WhatsApp, stamped no later than `message`, that were never relayed,
 * oldest first: what the API hands over before a message of a chat whose earlier webhooks it
 * refused (Temporal or PostgreSQL away), so polling does not bring them in after it.
 */
export function createMissedMessages(deps: Pick<PollingDependencies, 'db' | 'personal' | 'wppconnect' | 'includeGroups'>) {
  return async (chatId: string, message: InboundMessage): Promise<InboundMessage[]> => {
    const earlier = (await deps.wppconnect.chatMessages({ chatId, count: 30 })).filter(
      (candidate) => candidate.id !== message.whatsappId && candidate.timestamp <= message.timestamp,
    );
    return (await unrelayed(deps, chatId, earlier)).map((candidate) => toInboundEvent(candidate, null));
  };
}

/** Those of `messages` (a chat's) that are relayable and were never relayed. */
async function unrelayed(deps: Pick<PollingDependencies, 'db' | 'personal' | 'includeGroups'>, chatId: string, messages: WhatsAppMessage[]): Promise<WhatsAppMessage[]> {
  const candidates = messages.filter((message) => isRelayable(message, deps.includeGroups));
  if (candidates.length === 0) return [];
  const done = await relayedInbound(deps.db, deps.personal, chatId, candidates.map((message) => message.id));
  return candidates.filter((message) => !done.has(message.id));
}

export function createPollingActivities(deps: PollingDependencies) {
  /** Hands each chat its messages; returns the chats that took them (a full chat's wait in WhatsApp for a later poll). */
  const handAll = async (messages: WhatsAppMessage[]) => {
    const chats = byChat(messages.filter((message) => isRelayable(message, deps.includeGroups)));
    for (const [chatId, events] of chats) {
      try {
        await deps.handOff(chatId, events);
      } catch (error) {
        if (!(error instanceof ChatQueueFullError)) throw error;
        chats.delete(chatId);
      }
    }
    return chats;
  };

  return {
    /**
     * What WPPConnect holds as new; handed to the chats, which are then marked read so it is not
     * returned again. Marking reads the whole chat, so a message that arrived between the two (its
     * webhook lost too) would be hidden from every later poll: the chat is read once more after the
     * mark, and what came meanwhile is handed over as well.
     */
    async pollNewMessages(): Promise<{ found: number }> {
      const fresh = await deps.wppconnect.newMessages();
      if (deps.readReceipts === 'agent') {
        // The chats stay unread until an agent reads them, so WPPConnect returns their messages on every
        // poll: only those never relayed are handed over, and nothing is marked read.
        const byChatId = new Map<string, WhatsAppMessage[]>();
        for (const message of fresh) {
          const chat = byChatId.get(message.chatId) ?? [];
          chat.push(message);
          byChatId.set(message.chatId, chat);
        }
        const missing = (await Promise.all([...byChatId].map(([chatId, messages]) => unrelayed(deps, chatId, messages)))).flat();
        const taken = await handAll(missing);
        return { found: [...taken.values()].reduce((total, events) => total + events.length, 0) };
      }
      const chats = await handAll(fresh);
      let found = [...chats.values()].reduce((total, events) => total + events.length, 0);
      for (const [chatId, events] of chats) {
        await deps.wppconnect.markChatRead(chatId);
        const handed = new Set(events.map((event) => event.whatsappId));
        const since = Math.min(...events.map((event) => event.timestamp));
        const meanwhile = (await deps.wppconnect.chatMessages({ chatId, count: 30 })).filter((message) => message.timestamp >= since && !handed.has(message.id));
        const missed = await unrelayed(deps, chatId, meanwhile);
        if (missed.length > 0) found += (await handAll(missed)).get(chatId)?.length ?? 0;
      }
      return { found };
    },

    /** Recent chats' recent messages that were never relayed: lost webhooks, or read elsewhere before a poll. */
    async reconcileRecentChats(input: { windowSeconds: number }): Promise<{ recovered: number }> {
      const since = Math.floor(Date.now() / 1000) - input.windowSeconds;
      const chats = (await deps.wppconnect.listChats({ count: 50 })).filter(
        (chat) => (deps.includeGroups || !chat.isGroup) && (chat.lastMessageAt ?? 0) >= since,
      );
      let recovered = 0;
      for (const chat of chats) {
        const missing = await unrelayed(deps, chat.id, (await deps.wppconnect.chatMessages({ chatId: chat.id, count: 30 })).filter((message) => message.timestamp >= since));
        if (missing.length === 0) continue;
        await handAll(missing);
        recovered += missing.length;
      }
      return { recovered };
    },
  };
}

export type PollingActivities = ReturnType<typeof createPollingActivities>;
