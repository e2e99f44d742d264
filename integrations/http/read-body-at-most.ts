/**
 * Reads a fetch response's body, giving up (and cancelling the download) as soon as it passes
 * `maxBytes`; returns null then, so each caller reports "too large" in its own terms.
 * `onChunk` is called for every piece that arrives (a long download's sign of life).
 */
export async function readBodyAtMost(response: Response, maxBytes: number, onChunk?: () => void): Promise<Buffer | null> {
  if (response.body === null) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
    onChunk?.();
  }
  return Buffer.concat(chunks, total);
}
