import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createChatTurns } from '../../api/hand-offs/chat-turns.ts';

describe("chat turns: one hand-off at a time per chat, in WhatsApp's order", () => {
  it('a slow first message is not overtaken by the next ones of its chat', async () => {
    const turns = createChatTurns();
    const done: string[] = [];
    await Promise.all([
      turns.take('a', 100, async () => { await sleep(30); done.push('a1'); }),
      turns.take('a', 101, async () => { await sleep(1); done.push('a2'); }),
      turns.take('a', 102, async () => { done.push('a3'); }),
    ]);
    assert.deepEqual(done, ['a1', 'a2', 'a3']);
  });

  it('webhooks that arrive together go by their WhatsApp timestamp, then by arrival', async () => {
    const turns = createChatTurns();
    const done: string[] = [];
    // As after a busy event loop: the later message's socket happened to be read first.
    await Promise.all([
      turns.take('a', 102, async () => { done.push('third'); }),
      turns.take('a', 100, async () => { done.push('first'); }),
      turns.take('a', 101, async () => { done.push('second, read first'); }),
      turns.take('a', 101, async () => { done.push('second, read next'); }),
    ]);
    assert.deepEqual(done, ['first', 'second, read first', 'second, read next', 'third']);
  });

  it('one that arrives while another is handed off waits, and goes before later ones already waiting', async () => {
    const turns = createChatTurns();
    const done: string[] = [];
    let release = () => {};
    const held = new Promise<void>((resolve) => { release = resolve; });
    const first = turns.take('a', 100, async () => { await held; done.push('100'); });
    await sleep(5);
    const later = turns.take('a', 103, async () => { done.push('103'); });
    const earlier = turns.take('a', 101, async () => { done.push('101'); });
    release();
    await Promise.all([first, later, earlier]);
    assert.deepEqual(done, ['100', '101', '103']);
  });

  it("each turn runs in its own caller's async context (its request's trace), not the turn's before it", async () => {
    const turns = createChatTurns();
    const request = new AsyncLocalStorage<string>();
    const seen: Array<string | undefined> = [];
    await Promise.all(['first', 'second', 'third'].map((name, index) =>
      request.run(name, () => turns.take('a', 100 + index, async () => {
        await sleep(1);
        seen.push(request.getStore());
      }))));
    assert.deepEqual(seen, ['first', 'second', 'third']);
  });

  it('chats do not wait for each other', async () => {
    const turns = createChatTurns();
    const done: string[] = [];
    await Promise.all([
      turns.take('a', 100, async () => { await sleep(40); done.push('a'); }),
      turns.take('b', 100, async () => { await sleep(1); done.push('b'); }),
    ]);
    assert.deepEqual(done, ['b', 'a']);
  });

  it('counts what waits per chat, and forgets a chat once its last turn is done', async () => {
    const turns = createChatTurns();
    let release = () => {};
    const held = new Promise<void>((resolve) => { release = resolve; });
    const first = turns.take('a', 100, () => held);
    const second = turns.take('a', 101, async () => undefined);
    assert.equal(turns.waiting('a'), 2);
    assert.equal(turns.waiting('b'), 0);
    release();
    await Promise.all([first, second]);
    await sleep(0);
    assert.equal(turns.waiting('a'), 0);
  });

  it('a failed turn fails its own caller only; the next turn still runs', async () => {
    const turns = createChatTurns();
    const first = turns.take('a', 100, async () => { throw new Error('refused'); });
    const second = turns.take('a', 101, async () => 'handed off');
    await assert.rejects(first, /refused/);
    assert.equal(await second, 'handed off');
  });
});
