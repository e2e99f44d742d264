import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createChatTurns } from '../../api/hand-offs/chat-turns.ts';

describe('chat turns: one hand-off at a time per chat, in arrival order', () => {
  it('a slow first message is not overtaken by the next ones of its chat', async () => {
    const turns = createChatTurns();
    const done: string[] = [];
    await Promise.all([
      turns.take('a', async () => { await sleep(30); done.push('a1'); }),
      turns.take('a', async () => { await sleep(1); done.push('a2'); }),
      turns.take('a', async () => { done.push('a3'); }),
    ]);
    assert.deepEqual(done, ['a1', 'a2', 'a3']);
  });

  it('chats do not wait for each other', async () => {
    const turns = createChatTurns();
    const done: string[] = [];
    await Promise.all([
      turns.take('a', async () => { await sleep(40); done.push('a'); }),
      turns.take('b', async () => { await sleep(1); done.push('b'); }),
    ]);
    assert.deepEqual(done, ['b', 'a']);
  });

  it('counts what waits per chat, and forgets a chat once its last turn is done', async () => {
    const turns = createChatTurns();
    let release = () => {};
    const held = new Promise<void>((resolve) => { release = resolve; });
    const first = turns.take('a', () => held);
    const second = turns.take('a', async () => undefined);
    assert.equal(turns.waiting('a'), 2);
    assert.equal(turns.waiting('b'), 0);
    release();
    await Promise.all([first, second]);
    await sleep(0);
    assert.equal(turns.waiting('a'), 0);
  });

  it('a failed turn fails its own caller only; the next turn still runs', async () => {
    const turns = createChatTurns();
    const first = turns.take('a', async () => { throw new Error('refused'); });
    const second = turns.take('a', async () => 'handed off');
    await assert.rejects(first, /refused/);
    assert.equal(await second, 'handed off');
  });
});
