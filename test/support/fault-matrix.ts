/**
 * The fault matrix's shared ground (test/faults/): a fault bed (support/fault-bed.ts: the real Temporal
 * server on a PostgreSQL of its own) per describe, test systems on it with the bridge's polling
 * tightened, drivers writing bursts a second apart (WhatsApp's clock), and the count of what arrived.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { chatAtRest, chatwootView, newDriverPhone } from './bridge-views.ts';
import { startFaultBed, type FaultBed } from './fault-bed.ts';
import { tally } from './fault-tally.ts';
import { eventually, startTestSystem, type TestSystem, type TestSystemOptions } from './test-system.ts';

export const phones = 3;
export const messagesPerPhone = 4;
// Polling every half second at most: the safety net under webhooks that were never answered.
const bridgeEnv = { BRIDGE_POLL_MIN_INTERVAL: '500ms', BRIDGE_POLL_MAX_INTERVAL: '1s', WPPCONNECT_TIMEOUT: '5s' };

export function useFaultMatrix() {
  let bed: FaultBed | undefined;
  // WhatsApp stamps in whole seconds: each message of a burst a second after the one before, as typed.
  let clockOffsetMs = 0;
  const stamped = () => {
    clockOffsetMs += 1000;
  };

  before(async () => {
    bed = await startFaultBed((line) => console.log(`# fault bed: ${line}`));
  });
  after(async () => {
    await bed?.stop();
  });
  const ground = () => {
    if (bed === undefined) throw new Error('the fault bed runs between the before and after hooks of the describe');
    return bed;
  };

  const start = (env: Record<string, string> = {}, options: TestSystemOptions = {}) =>
    startTestSystem({ ...bridgeEnv, ...env }, {
      bridge: true,
      temporalAddress: ground().temporal.address,
      databaseUrl: ground().databaseUrl,
      whatsappClock: () => new Date(Date.now() + clockOffsetMs),
      ...options,
    });

  /** `count` messages from each phone of `plan` (three new phones when empty), interleaved; `during` runs halfway. */
  async function driversWrite(sut: TestSystem, label: string, plan: Map<string, string[]>, count = messagesPerPhone, during?: () => Promise<void>) {
    if (plan.size === 0) for (let index = 0; index < phones; index++) plan.set(newDriverPhone(), []);
    for (let index = 0; index < count; index++) {
      for (const [phone, texts] of plan) {
        const text = `${label} ${texts.length + 1}`;
        texts.push(text);
        stamped();
        await sut.wpp.receive({ from: phone, body: text });
      }
      if (index === Math.floor(count / 2)) await during?.();
    }
    return plan;
  }

  /** Waits until every message of `plan` is in Chatwoot and each chat is at rest; returns the count. */
  async function allArrived(sut: TestSystem, plan: Map<string, string[]>, timeoutMs: number) {
    const view = chatwootView(sut);
    const expected = [...plan.values()].reduce((sum, texts) => sum + texts.length, 0);
    const arrived = () => [...plan.keys()].reduce((sum, phone) => sum + new Set(view.incomingTexts(phone)).size, 0);
    await eventually(async () => (arrived() >= expected ? true : undefined), timeoutMs, `all ${expected} messages in Chatwoot (${arrived()} so far)`);
    for (const phone of plan.keys()) await chatAtRest(sut, phone, 'the chat to settle', timeoutMs);
    return tally(plan, (phone) => view.incomingTexts(phone).filter((text): text is string => text !== null));
  }

  return { bed: ground, start, stamped, driversWrite, allArrived };
}

export function assertClean(figures: ReturnType<typeof tally>): void {
  assert.deepEqual({ lost: figures.lost, doubled: figures.doubled, outOfOrder: figures.outOfOrder }, { lost: 0, doubled: 0, outOfOrder: 0 });
}
