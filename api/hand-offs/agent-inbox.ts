/**
 * The durable hand-off of what Chatwoot's webhook brings: agents' replies, and what agents do around
 * the bot. Chatwoot gives up on a webhook after 5 seconds and never delivers it again, so the webhook
 * does not wait on Temporal (slow under load, or away for a restart): the event is kept in
 * PostgreSQL (`chat_handoffs`, sealed with the chat's key), the webhook is answered, and the event
 * goes to its chat's workflow at once from here. One that does not go (Temporal unreachable, past
 * TEMPORAL_HANDOFF_DEADLINE) is tried again, with a growing pause, by a sweep every API instance runs;
 * an instance that dies holding one lets it go after `holdMs`. A chat's events go in the order they
 * were kept; the workflow dedupes one handed off twice (a process that died between the hand-off and
 * the row's deletion) by its business id.
 */
import type { ChatEvent } from '../../domain/chat.ts';
import type { PersonalData } from '../../platform/crypto/personal-data.ts';
import type { Db } from '../../platform/db.ts';
import { claimDueHandOffs, handedOff, keepHandOff, tryAgainLater, type KeptHandOff } from '../../platform/stores/chat-handoffs.ts';
import type { ChatHandOff } from './chat.ts';

export interface AgentInbox {
  /** Resolves once the event is kept (then it is handed off in the background); a doubled delivery is kept once. */
  keep(chatId: string, event: ChatEvent): Promise<void>;
  /** Starts the sweep (no I/O before: the app is built without touching the database). */
  start(): void;
  /** Stops the sweep; resolves once hand-offs under way have ended. */
  stop(): Promise<void>;
}

export interface AgentInboxOptions {
  /** The bridge's task queue (BRIDGE_TASK_QUEUE): its instances share the kept events, another bridge on the database does not take them. */
  queue: string;
  /** How often the sweep looks for events left behind. */
  everyMs?: number;
  /** How long a process holds an event it is handing off: past it, another takes it. */
  holdMs?: number;
  /** Events taken by one sweep. */
  batch?: number;
  log?: (fields: Record<string, unknown>, message: string) => void;
}

/** The pause before the next try of an event that has been tried `attempts` times: 1 s, doubled each time, at most 30 s. */
const retryDelayMs = (attempts: number) => Math.min(30_000, 1_000 * 2 ** Math.max(0, attempts - 1));

export function createAgentInbox(db: Db, personal: PersonalData, chats: ChatHandOff, options: AgentInboxOptions): AgentInbox {
  const { queue } = options;
  const everyMs = options.everyMs ?? 1_000;
  // Well past a hand-off's longest (TEMPORAL_HANDOFF_DEADLINE, 2 s): after an instance dies, its replies wait this long at most.
  const holdMs = options.holdMs ?? 10_000;
  const batch = options.batch ?? 100;
  const log = options.log ?? (() => undefined);
  const running = new Set<Promise<unknown>>();
  let stopped = false;

  const track = (work: Promise<unknown>) => {
    running.add(work);
    void work.finally(() => running.delete(work));
  };

  /** True when it is in the chat's workflow (a control for a chat whose workflow is not running has nowhere to go: done too). */
  async function handOff(chatId: string, event: ChatEvent): Promise<boolean> {
    try {
      if (event.kind === 'control') await chats.control(chatId, event);
      else await chats.events(chatId, [event]);
      return true;
    } catch (error) {
      log({ err: error instanceof Error ? error.name : 'unknown' }, 'agent event not handed off yet; tried again later');
      return false;
    }
  }

  /** A chat's claimed events, in order; the first that does not go waits, and the rest with it. */
  async function handOffInOrder(events: KeptHandOff[]): Promise<void> {
    behind.delete(events[0]!.chatId);
    for (const [index, kept] of events.entries()) {
      if (await handOff(kept.chatId, kept.event)) {
        await handedOff(db, kept.id);
        continue;
      }
      await tryAgainLater(db, events.slice(index).map((rest) => rest.id), retryDelayMs(kept.attempts));
      return;
    }
  }

  let sweeping: Promise<void> | undefined;
  let again = false;
  /** Chats with an event kept behind one this process is handing off: swept as soon as that hand-off ends. */
  const behind = new Set<string>();
  /** Takes what is due, chats side by side, each chat's in order; sweeps again at once when asked meanwhile. */
  const sweep = () => {
    if (stopped) return;
    if (sweeping !== undefined) {
      again = true;
      return;
    }
    sweeping = (async () => {
      do {
        again = false;
        const { due, unopened } = await claimDueHandOffs(db, personal, queue, batch, holdMs);
        if (unopened > 0) log({ unopened }, 'agent events that do not open with this process\'s keys (MASTER_KEYS); put off');
        const byChat = new Map<string, KeptHandOff[]>();
        for (const kept of due) {
          const chat = byChat.get(kept.chat);
          if (chat === undefined) byChat.set(kept.chat, [kept]);
          else chat.push(kept);
        }
        await Promise.all([...byChat.values()].map(handOffInOrder));
        if (due.length === batch) again = true;
      } while (again && !stopped);
    })().catch((error: unknown) => {
      log({ err: error instanceof Error ? error.name : 'unknown' }, 'agent events sweep failed; next one in a moment');
    }).finally(() => {
      sweeping = undefined;
    });
    track(sweeping);
  };

  let timer: NodeJS.Timeout | undefined;

  return {
    start() {
      timer ??= setInterval(sweep, everyMs);
      timer.unref();
      sweep();
    },
    async keep(chatId, event) {
      // Stamped here, when the bridge got it: the relay's latency is measured from it, whenever it goes.
      const stamped = event.kind === 'outbound' ? { ...event, receivedAt: event.receivedAt ?? Date.now() } : event;
      const kept = await keepHandOff(db, personal, queue, chatId, stamped, holdMs);
      if (kept === undefined) return;
      if (!kept.held) {
        behind.add(chatId);
        sweep();
        return;
      }
      track((async () => {
        if (await handOff(chatId, stamped)) await handedOff(db, kept.id);
        else await tryAgainLater(db, [kept.id], retryDelayMs(1));
      })().catch(() => undefined).finally(() => {
        if (behind.delete(chatId)) sweep();
      }));
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
