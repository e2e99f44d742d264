/**
 * When each driver message appeared in Chatwoot: the Chatwoot simulator calls `record` as it
 * creates a message, in this process, so the time is taken on the same clock as the webhook's
 * start (performance.now(), sub-millisecond). Only the first copy of a text counts here;
 * copies are counted from the simulator's state afterwards.
 */
import { performance } from 'node:perf_hooks';
import type { MessageRecord } from '../../test/simulators/chatwoot/index.ts';

export class ChatwootArrivals {
  private readonly firstSeen = new Map<string, number>();

  readonly record = (message: MessageRecord): void => {
    if (message.messageType !== 'incoming' || message.content === null || this.firstSeen.has(message.content)) return;
    this.firstSeen.set(message.content, performance.now());
  };

  /** performance.now() when a message with this text first appeared. */
  timeOf(text: string): number | undefined {
    return this.firstSeen.get(text);
  }

  /** How many of `texts` have appeared. */
  countOf(texts: readonly string[]): number {
    return texts.reduce((total, text) => total + (this.firstSeen.has(text) ? 1 : 0), 0);
  }
}
