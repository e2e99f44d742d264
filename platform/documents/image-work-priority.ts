/**
 * Where the worker's image work stands among the machine's other work. The pixels of every sharp call
 * are decoded, resized and encoded in libvips' own threads ("libvips worker"). In the worker, that is
 * a registration's documents, done in the background; the intake that checked them first is a driver
 * waiting in the chat (Typebot gives up at 10 s). At the lowest priority, those threads give the cores
 * to the API's event loop and its document checks whenever they share a machine (one process under
 * `npm start`, or containers side by side), and lose nothing when the cores are free.
 *
 * Linux gives each thread its own niceness, and libvips starts its threads as work needs them (a new
 * one inherits its starter's): they are looked for every `everyMs`. Elsewhere this does nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

const imageThreadName = 'libvips worker';

export interface ImageWorkPriority {
  /** Threads set to the lowest priority so far. */
  lowered(): number;
  stop(): void;
}

export function yieldImageWork(everyMs = 1_000): ImageWorkPriority {
  const lowest = os.constants.priority.PRIORITY_LOW; // 19, the lowest
  let lowered = 0;
  const look = () => {
    let threads: string[];
    try {
      threads = readdirSync('/proc/self/task');
    } catch {
      return; // not Linux
    }
    for (const thread of threads) {
      try {
        const id = Number(thread);
        if (readFileSync(`/proc/self/task/${thread}/comm`, 'utf8').trim() !== imageThreadName || os.getPriority(id) === lowest) continue;
        os.setPriority(id, lowest);
        lowered += 1;
      } catch {
        // The thread ended meanwhile, or this system does not allow it: it keeps its priority.
      }
    }
  };
  look();
  const timer = setInterval(look, everyMs);
  timer.unref();
  return { lowered: () => lowered, stop: () => clearInterval(timer) };
}
