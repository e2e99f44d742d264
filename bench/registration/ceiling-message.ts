/** What the sharp ceiling process tells the bench over its IPC channel. */
import type { ImageWorkSettings } from '../shared/child-messages.ts';

/** The sharp ceiling has been measured. */
export interface CeilingMessage {
  type: 'ceiling';
  registrations: number;
  elapsedMs: number;
  /** User + system CPU the ceiling process used for the pass. */
  cpuSeconds: number;
  imageWork: ImageWorkSettings;
  /** Each distinct photo inspected and prepared alone, nothing else running. */
  photoMs: number[];
  /** A decompression bomb refused by inspection, ten times. */
  bombMs: number[];
}
