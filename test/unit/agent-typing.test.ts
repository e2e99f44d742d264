import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { createAgentTypingRelay, type AgentTypingRelay } from '../../api/webhooks/agent-typing.ts';

describe("the agent's typing, shown on the driver's phone", () => {
  let clock = 0;
  let calls: Array<[string, boolean]>;
  let relay: AgentTypingRelay;
  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout'] });
    clock = 0;
    calls = [];
    relay = createAgentTypingRelay({ show: async (chatId, typing) => void calls.push([chatId, typing]), refreshMs: 10_000, holdMs: 15_000, crossedMs: 1_000, now: () => clock });
  });
  afterEach(() => {
    relay.close();
    mock.timers.reset();
  });
  const advance = (ms: number) => {
    clock += ms;
    mock.timers.tick(ms);
  };

  it('turns a burst of "on" into one call, and the "off" into one', async () => {
    for (let key = 0; key < 20; key++) {
      await relay.typing('a@c.us', true);
      advance(200);
    }
    await relay.typing('a@c.us', false);
    await relay.typing('a@c.us', false);
    assert.deepEqual(calls, [['a@c.us', true], ['a@c.us', false]]);
  });

  it('renews "typing…" while the agent keeps typing, at most every refresh', async () => {
    for (let second = 0; second < 25; second++) {
      await relay.typing('a@c.us', true);
      advance(1_000);
    }
    assert.deepEqual(calls, [['a@c.us', true], ['a@c.us', true], ['a@c.us', true]]);
  });

  it('takes "typing…" back by itself when no "off" comes', async () => {
    await relay.typing('a@c.us', true);
    advance(14_000);
    assert.deepEqual(calls, [['a@c.us', true]]);
    advance(1_000);
    await Promise.resolve();
    assert.deepEqual(calls, [['a@c.us', true], ['a@c.us', false]]);
  });

  it('is not fooled by an "off" that overtook its "on"', async () => {
    await relay.typing('a@c.us', false);
    advance(100);
    await relay.typing('a@c.us', true);
    assert.deepEqual(calls, []);
    // A real start later shows again.
    advance(5_000);
    await relay.typing('a@c.us', true);
    assert.deepEqual(calls, [['a@c.us', true]]);
  });

  it('stops when the reply is sent, starts afresh after it, and keeps chats apart', async () => {
    await relay.typing('a@c.us', true);
    await relay.typing('b@c.us', true);
    await relay.replied('a@c.us');
    await relay.replied('a@c.us');
    await relay.typing('a@c.us', true);
    await relay.typing('b@c.us', false);
    assert.deepEqual(calls, [['a@c.us', true], ['b@c.us', true], ['a@c.us', false], ['a@c.us', true], ['b@c.us', false]]);
  });

  it('only logs when WPPConnect fails', async () => {
    const logged: string[] = [];
    const failing = createAgentTypingRelay({ show: async () => Promise.reject(new TypeError('fetch failed')), log: (_fields, message) => void logged.push(message) });
    await failing.typing('a@c.us', true);
    failing.close();
    assert.deepEqual(logged, ['could not show the agent typing on WhatsApp']);
  });
});
