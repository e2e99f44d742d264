/** The part of heic-decode (no types of its own) the system uses: the primary image as RGBA pixels. */
declare module 'heic-decode' {
  function decode(input: { buffer: ArrayBufferLike | Uint8Array }): Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
  export default decode;
}
