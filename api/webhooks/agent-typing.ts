/**
 * "a escrever…" on the driver's phone while an agent types in Chatwoot. Chatwoot sends a typing
 * webhook on and off as the agent types and pauses, often many in a burst and in no promised order:
 * WPPConnect is called when the state changes, and again while it stays on only every `refreshMs`,
 * so a burst is a call or two. An "off" that overtook its "on" is not undone by it (an "on" that
 * comes just after an unmatched "off" is taken as the older one), and an "on" never followed by an
 * "off" lapses after `holdMs` (wa-js keeps "typing…" until told otherwise); sending the reply stops it. Ephemeral: kept in this
 * process only (with several API instances a burst split between them costs a call more), never
 * through the chat's workflow, and a failure is only logged.
 */
export interface AgentTypingRelay {
  typing(chatId: string, typing: boolean): Promise<void>;
  /** The agent sent their reply: "typing…" stops now (the reply may wait a moment, or never reach WhatsApp), and the next typing starts afresh. */
  replied(chatId: string): Promise<void>;
  /** Forgets every chat (its lapse timers too). */
  close(): void;
}

export interface AgentTypingOptions {
  show: (chatId: string, typing: boolean) => Promise<void>;
  /** While an agent keeps typing, "typing…" is renewed this often at most. */
  refreshMs?: number;
  /** "typing…" is taken back this long after the last "on", whatever came since. */
  holdMs?: number;
  /** An "on" this soon after an "off" that found nothing to stop is taken as older than it. */
  crossedMs?: number;
  /** Chats remembered at most; past it the oldest is forgotten. */
  maxChats?: number;
  now?: () => number;
  log?: (fields: Record<string, unknown>, message: string) => void;
}

interface Shown {
  since: number;
  lapse: ReturnType<typeof setTimeout>;
}

export function createAgentTypingRelay(options: AgentTypingOptions): AgentTypingRelay {
  const refreshMs = options.refreshMs ?? 10_000;
  const holdMs = options.holdMs ?? 15_000;
  const crossedMs = options.crossedMs ?? 1_000;
  const maxChats = options.maxChats ?? 10_000;
  const now = options.now ?? Date.now;
  /** Chats shown typing, with when it was last shown. */
  const shown = new Map<string, Shown>();
  /** Chats whose last "off" found nothing to stop, with when it came. */
  const unmatchedOff = new Map<string, number>();

  const show = async (chatId: string, typing: boolean) => {
    try {
      await options.show(chatId, typing);
    } catch (error) {
      options.log?.({ err: error instanceof Error ? error.name : 'unknown' }, 'could not show the agent typing on WhatsApp');
    }
  };
  const forget = (chatId: string) => {
    const entry = shown.get(chatId);
    if (entry !== undefined) clearTimeout(entry.lapse);
    shown.delete(chatId);
    return entry !== undefined;
  };
  /** Moves a chat to the newest end of a map, forgetting the oldest past `maxChats`. */
  const keepNewest = <V>(map: Map<string, V>, chatId: string, value: V, drop: (oldest: string) => void) => {
    map.delete(chatId);
    map.set(chatId, value);
    if (map.size > maxChats) drop(map.keys().next().value!);
  };

  async function stop(chatId: string): Promise<void> {
    if (!forget(chatId)) {
      keepNewest(unmatchedOff, chatId, now(), (oldest) => unmatchedOff.delete(oldest));
      return;
    }
    await show(chatId, false);
  }

  return {
    async typing(chatId, typing) {
      if (!typing) return stop(chatId);
      const off = unmatchedOff.get(chatId);
      unmatchedOff.delete(chatId);
      if (off !== undefined && now() - off < crossedMs) return;
      const since = shown.get(chatId)?.since;
      if (since !== undefined && now() - since < refreshMs) return;
      forget(chatId);
      const lapse = setTimeout(() => void stop(chatId), holdMs);
      lapse.unref();
      keepNewest(shown, chatId, { since: now(), lapse }, forget);
      await show(chatId, true);
    },
    async replied(chatId) {
      unmatchedOff.delete(chatId);
      if (forget(chatId)) await show(chatId, false);
    },
    close() {
      for (const chatId of [...shown.keys()]) forget(chatId);
      unmatchedOff.clear();
    },
  };
}
