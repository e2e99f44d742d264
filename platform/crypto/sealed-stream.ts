/**
 * A long byte stream (a database dump, an archive of files) sealed in chunks of up to 1 MiB, each
 * with AES-256-GCM (aead.ts) under one key and bound to its place: the stream's name, the chunk's
 * index and whether it is the last. A chunk changed, dropped, moved, taken from another stream, or
 * the stream cut short or lengthened does not open. Memory stays at about one chunk either way.
 *
 *   per chunk: flags (1 byte: 1 = last) | sealed length (4 bytes, big-endian) | IV (12) | tag (16) | ciphertext
 */
import { ivLength, openBytes, sealBytes, tagLength } from './aead.ts';

export const chunkBytes = 1024 * 1024;
const headerBytes = 5;
const lastFlag = 1;

const chunkAad = (name: string, index: number, last: boolean) => Buffer.from(`lf-stream|${name}|${index}|${last ? 'last' : 'more'}`);

/** A sealed stream that does not open: changed, cut short, lengthened, or sealed under another key or name. */
export class StreamDamaged extends Error {
  constructor(name: string, why: string) {
    super(`${name} does not open: ${why}`);
    this.name = 'StreamDamaged';
  }
}

/** Collects pieces until `size` bytes can be taken at once (no quadratic copying of many small pieces). */
class Gather {
  private pieces: Buffer[] = [];
  length = 0;
  push(piece: Buffer): void {
    this.pieces.push(piece);
    this.length += piece.length;
  }
  take(size: number): Buffer {
    const all = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.length);
    this.pieces = size < all.length ? [all.subarray(size)] : [];
    this.length = all.length - size;
    return all.subarray(0, size);
  }
}

const bufferOf = (piece: Buffer | Uint8Array | string) => (Buffer.isBuffer(piece) ? piece : Buffer.from(piece));

/** `source` sealed under `key` as the stream `name`. */
export async function* sealStream(source: AsyncIterable<Buffer | Uint8Array | string>, key: Buffer, name: string): AsyncGenerator<Buffer> {
  const gathered = new Gather();
  let index = 0;
  const frame = (plain: Buffer, last: boolean) => {
    const sealed = sealBytes(key, plain, chunkAad(name, index, last));
    index += 1;
    const header = Buffer.alloc(headerBytes);
    header.writeUInt8(last ? lastFlag : 0, 0);
    header.writeUInt32BE(sealed.length, 1);
    return Buffer.concat([header, sealed]);
  };
  for await (const piece of source) {
    gathered.push(bufferOf(piece));
    // More than a chunk gathered: this chunk is not the last one.
    while (gathered.length > chunkBytes) yield frame(gathered.take(chunkBytes), false);
  }
  yield frame(gathered.take(gathered.length), true);
}

/** The plain bytes of the sealed stream `name`, or `StreamDamaged` as soon as something does not hold. */
export async function* openStream(source: AsyncIterable<Buffer | Uint8Array | string>, key: Buffer, name: string): AsyncGenerator<Buffer> {
  const gathered = new Gather();
  let index = 0;
  let ended = false;
  let wanted: { last: boolean; length: number } | undefined;
  for await (const piece of source) {
    if (ended) throw new StreamDamaged(name, 'bytes follow its last chunk');
    gathered.push(bufferOf(piece));
    for (;;) {
      if (wanted === undefined) {
        if (gathered.length < headerBytes) break;
        const header = gathered.take(headerBytes);
        const flags = header.readUInt8(0);
        const length = header.readUInt32BE(1);
        if ((flags & ~lastFlag) !== 0 || length < ivLength + tagLength || length > chunkBytes + ivLength + tagLength) throw new StreamDamaged(name, `chunk ${index} has a bad header`);
        wanted = { last: flags === lastFlag, length };
      }
      if (gathered.length < wanted.length) break;
      const plain = openBytes(key, gathered.take(wanted.length), chunkAad(name, index, wanted.last));
      if (plain === undefined) throw new StreamDamaged(name, `chunk ${index} was changed, moved or sealed under another key`);
      index += 1;
      ended = wanted.last;
      wanted = undefined;
      if (plain.length > 0) yield plain;
      if (ended) {
        if (gathered.length > 0) throw new StreamDamaged(name, 'bytes follow its last chunk');
        break;
      }
    }
  }
  if (!ended) throw new StreamDamaged(name, 'it was cut short');
}
