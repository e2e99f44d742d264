import path from 'node:path';

/**
 * A module beside the caller, named without its extension: `.ts` while the caller runs from source
 * (tsx), `.js` once it runs compiled (`npm run build`). For modules loaded by path (a worker
 * thread, the workflow bundle's entry and converters), which the compiler does not rewrite.
 */
export function moduleBeside(callerUrl: string, relative: string): URL {
  return new URL(`${relative}${path.extname(new URL(callerUrl).pathname)}`, callerUrl);
}
