import { makeJpeg, makePdf } from '../fixtures/documents.ts';
import type { IncomingInput } from '../simulators/wppconnect/index.ts';
import { eventually } from './eventually.ts';
import { randomNif } from './registration-payloads.ts';
import type { TestSystem } from './test-system.ts';

/**
 * A driver talking to the registration bot through the WPPConnect simulator: says something,
 * then waits for what the bot (or anyone) sends back to the phone.
 */
export function botDialogue(sut: TestSystem, phone: string) {
  const sentToDriver = () => sut.wpp.sent.filter((message) => message.phone === phone);
  let read = 0;

  /** Everything sent to the driver since the last call, once it stops growing. */
  async function replies(what: string, timeoutMs = 20_000): Promise<string[]> {
    const first = await eventually(async () => (sentToDriver().length > read ? sentToDriver().length : undefined), timeoutMs, what);
    // A turn may be several messages: wait until no more arrive for a moment.
    let count = first;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      if (sentToDriver().length === count) break;
      count = sentToDriver().length;
    }
    const fresh = sentToDriver().slice(read, count);
    read = count;
    return fresh.map((message) => message.body);
  }

  return {
    sentToDriver,
    /** The driver sends a message (text, or media), then reads the bot's answer. */
    async says(message: string | Omit<IncomingInput, 'from'>, what = 'the bot to answer'): Promise<string> {
      await sut.wpp.receive(typeof message === 'string' ? { from: phone, body: message } : { from: phone, ...message });
      return (await replies(what)).join('\n');
    },
    /** The driver sends something and nothing comes back for `quietMs`. */
    async saysAndHearsNothing(message: string, quietMs = 3000): Promise<void> {
      await sut.wpp.receive({ from: phone, body: message });
      await new Promise((resolve) => setTimeout(resolve, quietMs));
      if (sentToDriver().length > read) throw new Error(`Expected silence, got: ${sentToDriver().slice(read).map((m) => m.body).join(' | ')}`);
    },
    replies,
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
