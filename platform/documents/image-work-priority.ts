/**
 * Where the worker's image work stands among the machine's other work. The pixels of every sharp call
 * are decoded, resized and encoded in libvips' own threads ("libvips worker"). In the worker, that is
 * a registration's documents, done in the background; the intake that checked them first is a driver
 * waiting in the chat (Typebot gives up at 10 s). Below the intake's check threads, those threads give
 * the cores to the API's event loop and its document checks whenever they share a machine (one
 * process under `npm start`, or containers side by side), and lose nothing when the cores are free.
 *
 * Linux gives each thread its own niceness, and libvips starts its threads as work needs them (a new
 * one inherits its starter's): they are looked for every `everyMs`. Elsewhere this does nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * The intake's check threads: below the event loop (0), so a crafted PDF cannot hold /health, and
 * above the image work. Each step of 5 is about three times less CPU when both want a core.
 */
export const documentCheckNiceness = 5;
/**
 * The worker's image work: below the checks, yet not the lowest (19). At 19 it got about 1.5 % of a
 * core beside work at normal priority: in a full test run beside a CPU hog a registration waited
 * over 20 s to reach a reviewer; at 10 it gets about a tenth.
 */
export const imageWorkNiceness = 10;

const imageThreadName = 'libvips worker';

export interface ImageWorkPriority {
  /** Threads set to the image work's priority so far. */
  lowered(): number;
  stop(): void;
}

export function yieldImageWork(everyMs = 1_000): ImageWorkPriority {
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
        if (readFileSync(`/proc/self/task/${thread}/comm`, 'utf8').trim() !== imageThreadName || os.getPriority(id) === imageWorkNiceness) continue;
        os.setPriority(id, imageWorkNiceness);
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
