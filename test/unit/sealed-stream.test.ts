import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { newKey } from '../../platform/crypto/aead.ts';
import { chunkBytes, openStream, sealStream, StreamDamaged } from '../../platform/crypto/sealed-stream.ts';

/** `bytes` as a stream of pieces of uneven sizes, as files and pipes hand them over. */
async function* piecesOf(bytes: Buffer): AsyncGenerator<Buffer> {
  for (let at = 0, step = 1; at < bytes.length; at += step, step = (step * 7 + 13) % 300_000 + 1) yield bytes.subarray(at, at + step);
}

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const seal = (plain: Buffer, key: Buffer, name = 'backup:x:documents') => collect(sealStream(piecesOf(plain), key, name));
const open = (sealed: Buffer, key: Buffer, name = 'backup:x:documents') => collect(openStream(piecesOf(sealed), key, name));

/** The sealed stream's frames: flags (1) | length (4) | sealed bytes. */
function frames(sealed: Buffer): Buffer[] {
  const found: Buffer[] = [];
  for (let at = 0; at < sealed.length;) {
    const end = at + 5 + sealed.readUInt32BE(at + 1);
    found.push(sealed.subarray(at, end));
    at = end;
  }
  return found;
}

describe('sealed streams (backups: a dump or a file archive in 1 MiB chunks)', () => {
  it('opens to the same bytes whatever the length, empty and exact multiples of a chunk included', async () => {
    const key = newKey();
    for (const length of [0, 1, chunkBytes - 1, chunkBytes, chunkBytes + 1, 2 * chunkBytes, Math.floor(2.5 * chunkBytes)]) {
      const plain = randomBytes(length);
      const sealed = await seal(plain, key);
      // A short run of bytes turns up in any random-looking stream by chance: only 16 or more are evidence.
      assert.ok(length < 16 || !sealed.includes(plain.subarray(0, 64)), 'no plain bytes in the sealed stream');
      assert.deepEqual(await open(sealed, key), plain, `length ${length}`);
    }
  });

  it('refuses a changed byte, a stream cut short, bytes after its end, chunks swapped, another key and another name', async () => {
    const key = newKey();
    const sealed = await seal(randomBytes(Math.floor(2.5 * chunkBytes)), key);
    const [first, second, last] = frames(sealed);
    const flipped = Buffer.from(sealed);
    flipped[sealed.length - 100]! ^= 1;
    const cases: Array<[string, Promise<Buffer>, RegExp]> = [
      ['changed', open(flipped, key), /chunk 2 was changed/],
      ['cut at a chunk boundary', open(Buffer.concat([first!, second!]), key), /cut short/],
      ['cut inside a chunk', open(sealed.subarray(0, sealed.length - 10), key), /cut short/],
      ['lengthened', open(Buffer.concat([sealed, Buffer.from([0])]), key), /bytes follow its last chunk/],
      ['swapped', open(Buffer.concat([second!, first!, last!]), key), /chunk 0 was changed, moved/],
      ['another key', open(sealed, newKey()), /chunk 0 was changed, moved or sealed under another key/],
      ['another name', open(sealed, key, 'backup:y:documents'), /chunk 0/],
    ];
    for (const [what, opened, message] of cases) {
      await assert.rejects(opened, (error: Error) => error instanceof StreamDamaged && message.test(error.message), what);
    }
  });
});
