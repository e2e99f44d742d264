/**
 * One webhook at a time per chat, in the order they reached this process. WPPConnect posts a chat's
 * messages concurrently; handed off side by side they reach Temporal in any order, and the chat's
 * workflow can only put back in order what is still queued together. Anything that makes a hand-off
 * wait (storing a photo, reading a key) would bunch a burst into simultaneous calls; taking turns
 * keeps their order. Chats do not wait for each other.
 */
export interface ChatTurns {
  take<T>(chatId: string, work: () => Promise<T>): Promise<T>;
}

export function createChatTurns(): ChatTurns {
  const last = new Map<string, Promise<unknown>>();
  return {
    take(chatId, work) {
      const before = last.get(chatId) ?? Promise.resolve();
      const mine = before.catch(() => undefined).then(work);
      const settled = mine.catch(() => undefined);
      last.set(chatId, settled);
      // The chain ends with the last turn: nothing kept for a chat that went quiet.
      void settled.then(() => {
        if (last.get(chatId) === settled) last.delete(chatId);
      });
      return mine;
    },
  };
}
