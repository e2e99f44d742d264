/**
 * One webhook at a time per chat, in WhatsApp's order. WPPConnect posts a chat's messages
 * concurrently; handed off side by side they reach Temporal in any order, and the chat's workflow
 * can only put back in order what is still queued together. Anything that makes a hand-off wait
 * (storing a photo, reading a key) would bunch a burst into simultaneous calls; taking turns keeps
 * their order. Webhooks that reach this process together — after its event loop was busy (a large
 * registration's body being parsed), its sockets are read in no particular order — all join the
 * chat's line before the first goes, and the line goes by WhatsApp's timestamp (then by arrival):
 * the scale test saw a chat's first two messages swapped without that. Chats do not wait for each
 * other. The order holds within one API process: behind a load balancer, WPPConnect's webhooks go
 * to one instance at a time (ops/haproxy/haproxy.cfg). Each turn runs in its own request's async
 * context (its trace, its log fields), not in that of the turn before it.
 */
import { AsyncResource } from 'node:async_hooks';

export interface ChatTurns {
  /** Runs `work` in the chat's turn; `order` is the message's WhatsApp timestamp (lower goes first). */
  take<T>(chatId: string, order: number, work: () => Promise<T>): Promise<T>;
  /** How many of the chat's hand-offs are under way or waiting for their turn. */
  waiting(chatId: string): number;
}

interface Waiting {
  order: number;
  arrival: number;
  run: () => Promise<void>;
}

interface Line {
  waiting: Waiting[];
  busy: boolean;
}

export function createChatTurns(): ChatTurns {
  const chats = new Map<string, Line>();
  let arrivals = 0;

  const next = (chatId: string, line: Line) => {
    if (line.waiting.length === 0) {
      // Nothing kept for a chat that went quiet.
      if (chats.get(chatId) === line) chats.delete(chatId);
      return;
    }
    let first = 0;
    line.waiting.forEach((candidate, index) => {
      const best = line.waiting[first]!;
      if (candidate.order < best.order || (candidate.order === best.order && candidate.arrival < best.arrival)) first = index;
    });
    const [turn] = line.waiting.splice(first, 1);
    line.busy = true;
    void turn!.run().finally(() => {
      line.busy = false;
      next(chatId, line);
    });
  };

  return {
    take(chatId, order, work) {
      return new Promise((resolve, reject) => {
        let line = chats.get(chatId);
        const idle = line === undefined;
        if (line === undefined) {
          line = { waiting: [], busy: false };
          chats.set(chatId, line);
        }
        line.waiting.push({ order, arrival: arrivals++, run: AsyncResource.bind(() => work().then(resolve, reject)) });
        // After the I/O this turn of the event loop read: every webhook that came in with this one has joined.
        if (idle) setImmediate(() => next(chatId, line));
      });
    },
    waiting: (chatId) => {
      const line = chats.get(chatId);
      return line === undefined ? 0 : line.waiting.length + (line.busy ? 1 : 0);
    },
  };
}
