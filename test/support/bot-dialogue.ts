import { tsToMs } from '@temporalio/common/lib/time.js';
import { chatWorkflowId } from '../../domain/chat.ts';
import { makeJpeg, makePdf } from '../fixtures/documents.ts';
import type { IncomingInput } from '../simulators/wppconnect/index.ts';
import { chatAtRest, chatwootView, webhooksAnswered } from './bridge-views.ts';
import { eventually } from './eventually.ts';
import { randomNif } from './registration-payloads.ts';
import type { TestSystem } from './test-system.ts';

/**
 * A driver talking to the registration bot through the WPPConnect simulator: says something,
 * then reads what the bot (or anyone) sent back to the phone.
 *
 * A turn is over when the chat's workflow has handled what was handed to it (its state query says
 * nothing is queued and it is not busy): the bot's sends happen inside its steps for the batch, so
 * by then the whole turn has arrived, be it several messages or none.
 */
export function botDialogue(sut: TestSystem, phone: string) {
  const chatId = `${phone}@c.us`;
  const sentToDriver = () => sut.wpp.sent.filter((message) => message.phone === phone);
  let read = 0;
  const unread = () => {
    const fresh = sentToDriver().slice(read);
    read += fresh.length;
    return fresh.map((message) => message.body);
  };

  /**
   * Everything sent to the driver since the last call, once the chat has handled every event handed
   * over so far (the driver's message, an agent's reply): the webhooks in flight are answered first,
   * so their events are in the chat's history. Empty when the turn sent nothing.
   */
  async function replies(what: string, timeoutMs = 30_000): Promise<string[]> {
    await webhooksAnswered(sut);
    await chatAtRest(sut, chatId, what, timeoutMs);
    return unread();
  }

  /**
   * For messages no turn of this chat sends, which come when they come (a reminder after the
   * silence, the reviewer's decision from the registration's workflow): waits for `count` new
   * messages, then for the chat to be at rest, and returns everything unread.
   */
  async function hears(what: string, { count = 1, timeoutMs = 30_000 }: { count?: number; timeoutMs?: number } = {}): Promise<string[]> {
    await eventually(async () => (sentToDriver().length >= read + count ? true : undefined), timeoutMs, what);
    await chatAtRest(sut, chatId, what, timeoutMs);
    return unread();
  }

  return {
    sentToDriver,
    /** The driver sends a message (text, or media), then reads the bot's whole answer ('' for none). */
    async says(message: string | Omit<IncomingInput, 'from'>, what = 'the bot to answer'): Promise<string> {
      await sut.wpp.receive(typeof message === 'string' ? { from: phone, body: message } : { from: phone, ...message });
      return (await replies(what)).join('\n');
    },
    /**
     * The driver sends a message, the chat handles it (it is in the Chatwoot conversation, when the
     * bridge has one, and the chat is at rest) and nothing was sent back.
     */
    async saysAndHearsNothing(message: string): Promise<void> {
      const { id } = await sut.wpp.receive({ from: phone, body: message });
      await chatAtRest(sut, chatId, `the chat to handle "${message}"`);
      if (sut.chatwoot !== undefined && !chatwootView(sut).incoming(phone).some((posted) => posted.sourceId === `wa:${id}`)) {
        throw new Error(`"${message}" was not relayed to Chatwoot: the chat did not handle it`);
      }
      const fresh = unread();
      if (fresh.length > 0) throw new Error(`Expected silence, got: ${fresh.join(' | ')}`);
    },
    /**
     * Nothing more comes for `ms` of the chat's own time. Waits until one of the chat workflow's
     * timers fired at least `ms` after its last event so far (a workflow's timers fire in the order
     * they are due, so any due by then, a second reminder say, has fired too), then until the chat
     * is at rest, and checks nothing was sent meanwhile. Needs a chat that wakes up by itself: a short
     * BRIDGE_IDLE_TIMEOUT (idleness is checked every quarter of it).
     */
    async hearsNothingFor(ms: number, what: string): Promise<void> {
      const handle = sut.system.temporal.workflow.getHandle(chatWorkflowId(sut.system.personal, chatId));
      await chatAtRest(sut, chatId, what);
      const eventTimes = async () => ((await handle.fetchHistory()).events ?? []).map((event) => ({ at: tsToMs(event.eventTime), timer: event.timerFiredEventAttributes != null }));
      const lastEvent = Math.max(...(await eventTimes()).map((event) => event.at));
      await eventually(
        async () => ((await eventTimes()).some((event) => event.timer && event.at >= lastEvent + ms) ? true : undefined),
        ms + 20_000,
        `a timer of the chat to fire ${ms} ms after its last event (is BRIDGE_IDLE_TIMEOUT short?)`,
      );
      await chatAtRest(sut, chatId, what);
      const fresh = unread();
      if (fresh.length > 0) throw new Error(`Expected nothing (${what}), got: ${fresh.join(' | ')}`);
    },
    replies,
    hears,
    /** Marks everything sent so far as read. */
    skipAhead() {
      read = sentToDriver().length;
    },
  };
}

/** What a driver answers, question by question, in the registration flow. */
export async function driverAnswers() {
  return {
    name: 'Rui Manuel Almeida',
    nif: randomNif(),
    phone: '912 345 678',
    email: 'rui.almeida@example.pt',
    address: 'Rua das Flores, 12, 3.º Esq.',
    postalCode: '4050-262',
    city: 'Porto',
    licenceFront: await makeJpeg({ width: 800, height: 500 }),
    licenceBack: await makeJpeg({ width: 800, height: 500 }),
    proofOfAddress: await makePdf({ pages: 1 }),
  };
}
