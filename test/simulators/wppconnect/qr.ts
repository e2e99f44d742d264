/**
 * A new QR, as the server's catchQR receives one: WhatsApp's `2@…` string and a PNG of it. The
 * PNG is a real one (100×100, greyscale) with a pattern drawn from the string, so every QR has
 * other bytes; it is not a scannable QR code: pairing is `scanQr()` on the simulator.
 */
import { createHash, randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import type { PendingQr } from './state.ts';

const MODULES = 25;
const SCALE = 4;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function newQr(): PendingQr {
  const urlcode = `2@${[24, 32, 32, 32].map((size) => randomBytes(size).toString('base64')).join(',')}`;
  return { urlcode, png: patternPng(urlcode) };
}

function patternPng(seed: string): Buffer {
  const bits = createHash('shake256', { outputLength: Math.ceil((MODULES * MODULES) / 8) }).update(seed).digest();
  const side = MODULES * SCALE;
  // Each scanline: filter byte 0, then one byte per pixel (0 black, 255 white).
  const raw = Buffer.alloc(side * (side + 1));
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const module = Math.floor(y / SCALE) * MODULES + Math.floor(x / SCALE);
      const dark = ((bits[module >> 3] ?? 0) >> (module & 7)) & 1;
      raw[y * (side + 1) + 1 + x] = dark === 1 ? 0 : 255;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, deflate, no filter method, no interlace
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}
