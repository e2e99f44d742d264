/**
 * One webhook at a time per chat, in the order they reached this process. WPPConnect posts a chat's
 * messages concurrently; handed off side by side they reach Temporal in any order, and the chat's
 * workflow can only put back in order what is still queued together. Anything that makes a hand-off
 * wait (storing a photo, reading a key) would bunch a burst into simultaneous calls; taking turns
 * keeps their order. Chats do not wait for each other. The order holds within one API process:
 * behind a load balancer, two instances' hand-offs for a chat can still cross (the workflow's order
 * window is what is left for those).
 */
export interface ChatTurns {
  take<T>(chatId: string, work: () => Promise<T>): Promise<T>;
  /** How many of the chat's hand-offs are under way or waiting for their turn. */
  waiting(chatId: string): number;
}

export function createChatTurns(): ChatTurns {
  const chats = new Map<string, { last: Promise<unknown>; count: number }>();
  return {
    take(chatId, work) {
      const chat = chats.get(chatId) ?? { last: Promise.resolve(), count: 0 };
      const mine = chat.last.then(work);
      const settled = mine.then(() => undefined, () => undefined);
      chat.last = settled;
      chat.count += 1;
      chats.set(chatId, chat);
      // The entry ends with the chat's last turn: nothing kept for a chat that went quiet.
      void settled.then(() => {
        chat.count -= 1;
        if (chat.count === 0 && chats.get(chatId) === chat) chats.delete(chatId);
      });
      return mine;
    },
    waiting: (chatId) => chats.get(chatId)?.count ?? 0,
  };
}
