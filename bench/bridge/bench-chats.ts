/**
 * The chats a load phase talks in and the messages it sends: chat `c` has its own phone number
 * (a run block and the phase in its digits, so phases and runs never share a chat), and message
 * `s` of chat `c` says which it is, so what reaches Chatwoot can be checked and timed.
 * Messages go round-robin over the chats (message 1 of every chat, then message 2, ...), as when
 * many drivers write at the same time.
 */

export type LoadPhase = 'full_speed' | 'half_ceiling';

export interface ChatMessage {
  chat: number;
  /** 1-based, in the order the driver sends them. */
  sequence: number;
}

export interface BenchChats {
  phase: LoadPhase;
  chats: number;
  perChat: number;
  total: number;
  /** WhatsApp digits: 3519, the run block, the phase, the chat (e.g. 351912310017). */
  phoneOf(chat: number): string;
  /** The index-th message to send (round-robin over the chats). */
  messageAt(index: number): ChatMessage;
  textOf(message: ChatMessage): string;
  /** Every message's text, in sending order. */
  texts(): string[];
}

const phaseDigit: Record<LoadPhase, number> = { full_speed: 1, half_ceiling: 2 };

/** `runBlock` (100–999) keeps a run's chats apart from an earlier run's on a Temporal server that outlives it. */
export function benchChats(phase: LoadPhase, runBlock: number, chats: number, perChat: number): BenchChats {
  const textOf = ({ chat, sequence }: ChatMessage) => `[bench ${phase}] motorista ${chat}, mensagem ${sequence}`;
  const messageAt = (index: number): ChatMessage => ({ chat: index % chats, sequence: Math.floor(index / chats) + 1 });
  const total = chats * perChat;
  return {
    phase,
    chats,
    perChat,
    total,
    phoneOf: (chat) => `3519${runBlock}${phaseDigit[phase]}${String(chat).padStart(4, '0')}`,
    messageAt,
    textOf,
    texts: () => Array.from({ length: total }, (_, index) => textOf(messageAt(index))),
  };
}
