/**
 * The worker's image work below the intake's checks (platform/documents/image-work-priority.ts): libvips'
 * threads, new ones included, and no other thread.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { imageWorkNiceness, yieldImageWork } from '../../platform/documents/image-work-priority.ts';
import { eventually } from '../support/eventually.ts';

const threads = () => readdirSync('/proc/self/task').map((id) => ({ id: Number(id), name: readFileSync(`/proc/self/task/${id}/comm`, 'utf8').trim() }));
const someImageWork = () => Promise.all(Array.from({ length: 4 }, (_, index) =>
  sharp({ create: { width: 1200 + index, height: 900, channels: 3, background: '#808080' } }).resize(300).jpeg().toBuffer()));

describe('the image work priority', { skip: existsSync('/proc/self/task') ? false : 'Linux only: elsewhere it does nothing' }, () => {
  it('sets libvips\' threads to the image work\'s priority as they appear, and leaves the others', async () => {
    const priority = yieldImageWork(50);
    try {
      await someImageWork();
      const imageWork = imageWorkNiceness;
      const imageThreads = () => threads().filter((thread) => thread.name === 'libvips worker');
      await eventually(async () => (imageThreads().length > 0 && imageThreads().every((thread) => os.getPriority(thread.id) === imageWork) ? true : undefined), 5_000, 'libvips threads lowered');
      assert.ok(priority.lowered() > 0);
      const others = threads().filter((thread) => thread.name !== 'libvips worker');
      assert.ok(others.some((thread) => thread.id === process.pid), 'the main thread is listed');
      assert.deepEqual(others.map((thread) => os.getPriority(thread.id)).filter((value) => value === imageWork), [], 'no other thread lowered');
    } finally {
      priority.stop();
    }
  });
});
